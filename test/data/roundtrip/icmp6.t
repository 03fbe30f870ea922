# icmp6 (IPv6): implicit with -p ipv6-icmp/icmpv6; ip6tables-save prints numbers, no "any" (libip6t_icmp6.c)
@filter/ipv6
-p ipv6-icmp -m icmp6 --icmpv6-type 128;=;OK
-p icmpv6 --icmpv6-type echo-request -j ACCEPT;-p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT;OK
-p ipv6-icmp --icmpv6-type echo-reply;-p ipv6-icmp -m icmp6 --icmpv6-type 129;OK
-p ipv6-icmp --icmpv6-type neighbour-solicitation;-p ipv6-icmp -m icmp6 --icmpv6-type 135;OK
-p ipv6-icmp --icmpv6-type neighbor-advertisement;-p ipv6-icmp -m icmp6 --icmpv6-type 136;OK
-p ipv6-icmp --icmpv6-type port-unreachable;-p ipv6-icmp -m icmp6 --icmpv6-type 1/4;OK
-p ipv6-icmp --icmpv6-type packet-too-big;-p ipv6-icmp -m icmp6 --icmpv6-type 2;OK
-p ipv6-icmp -m icmp6 --icmpv6-type 1/3;=;OK
-p ipv6-icmp -m icmp6 ! --icmpv6-type 128;=;OK
-p 58 --icmpv6-type 128;-p ipv6-icmp -m icmp6 --icmpv6-type 128;OK
-p ipv6-icmp -m icmpv6 --icmpv6-type 128;-p ipv6-icmp -m icmp6 --icmpv6-type 128;OK
-p ipv6-icmp -m icmp6 --icmpv6-type 255;=;OK
-p ipv6-icmp -m icmp6;;FAIL
-m icmp6 --icmpv6-type 128;;FAIL
-p tcp -m icmp6 --icmpv6-type 128;;FAIL
-p ipv6-icmp -m icmp6 --icmpv6-type any;;FAIL
-p ipv6-icmp -m icmp6 --icmpv6-type neighbo;;FAIL
-p ipv6-icmp -m icmp6 --icmpv6-type 256;;FAIL
-p ipv6-icmp -m icmp6 --icmpv6-type 128 --icmpv6-type 129;;FAIL
@filter
-p ipv6-icmp --icmpv6-type 128;;FAIL
