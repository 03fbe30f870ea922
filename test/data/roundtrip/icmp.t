# icmp (IPv4): implicit with -p icmp; iptables-save prints numbers, and "any" (libipt_icmp.t, icmp_save)
@filter
-p icmp -m icmp --icmp-type any;=;OK
-p icmp --icmp-type echo-request -j ACCEPT;-p icmp -m icmp --icmp-type 8 -j ACCEPT;OK
-p icmp -m icmp --icmp-type echo-reply;-p icmp -m icmp --icmp-type 0;OK
-p icmp -m icmp --icmp-type ping;-p icmp -m icmp --icmp-type 8;OK
-p icmp -m icmp --icmp-type destination-unreachable;-p icmp -m icmp --icmp-type 3;OK
-p icmp -m icmp --icmp-type port-unreachable;-p icmp -m icmp --icmp-type 3/3;OK
-p icmp -m icmp --icmp-type network-unreachable;-p icmp -m icmp --icmp-type 3/0;OK
-p icmp -m icmp --icmp-type Echo-Request;-p icmp -m icmp --icmp-type 8;OK
-p icmp -m icmp --icmp-type echo-req;-p icmp -m icmp --icmp-type 8;OK
-p icmp -m icmp --icmp-type 8;=;OK
-p icmp -m icmp --icmp-type 3/4;=;OK
-p icmp -m icmp --icmp-type 255/255;=;OK
-p icmp -m icmp --icmp-type 255/0:255;-p icmp -m icmp --icmp-type any;OK
-p icmp -m icmp --icmp-type 3/0:255;-p icmp -m icmp --icmp-type 3;OK
-p icmp -m icmp ! --icmp-type 8;=;OK
-p icmp --icmp-type ! echo-request;;FAIL
-p 1 --icmp-type 0;-p icmp -m icmp --icmp-type 0;OK
-m icmp --icmp-type 8 -p icmp;-p icmp -m icmp --icmp-type 8;OK
@filter
-m icmp;;FAIL
-p icmp -m icmp;;FAIL
-m icmp --icmp-type 8;;FAIL
-p tcp -m icmp --icmp-type 8;;FAIL
! -p icmp -m icmp --icmp-type 8;;FAIL
-p icmp -m icmp --icmp-type echo-re;;FAIL
-p icmp -m icmp --icmp-type bogus;;FAIL
-p icmp -m icmp --icmp-type 256;;FAIL
-p icmp -m icmp --icmp-type 3/256;;FAIL
-p icmp -m icmp --icmp-type 3/;;FAIL
-p icmp -m icmp --icmp-type destination-unreachable/network-unreachable;;FAIL
-p icmp -m icmp --icmp-type 8 --icmp-type 0;;FAIL
@filter/ipv6
-p icmp --icmp-type 8;;FAIL
