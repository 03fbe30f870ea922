# DNAT (libipt_DNAT.t, libip6t_DNAT.t): nat table; exactly one --to-destination;
# a port needs -p tcp/udp/sctp/dccp; IPv6 with a port is written [addr]:port.
@nat
-j DNAT --to-destination 1.1.1.1;=;OK
-j DNAT --to-destination 1.1.1.1-1.1.1.10;=;OK
-j DNAT --to-destination 1.1.1.1:1025-65535;;FAIL
-j DNAT --to-destination 1.1.1.1 --to-destination 2.2.2.2;;FAIL
-p tcp -j DNAT --to-destination 1.1.1.1:1025-65535;=;OK
-p tcp -j DNAT --to-destination 1.1.1.1-1.1.1.10:1025-65535;=;OK
-p tcp -j DNAT --to-destination 1.1.1.1-1.1.1.10:1025-65536;;FAIL
-p tcp -j DNAT --to-destination 1.1.1.1-1.1.1.10:1025-65535 --to-destination 2.2.2.2-2.2.2.20:1025-65535;;FAIL
-j DNAT;;FAIL
-p tcp -j DNAT --to-destination 1.1.1.1-1.1.1.1;-p tcp -j DNAT --to-destination 1.1.1.1;OK
-p tcp -j DNAT --to-destination 10.0.0.1:80-80;-p tcp -j DNAT --to-destination 10.0.0.1:80;OK
-p tcp -j DNAT --to-destination 10.0.0.1:http;-p tcp -j DNAT --to-destination 10.0.0.1:80;OK
-p tcp -j DNAT --to-destination :8080;=;OK
-p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/1500;=;OK
-p tcp -j DNAT --persistent --to-destination 1.1.1.1 --random;-p tcp -j DNAT --to-destination 1.1.1.1 --random --persistent;OK
-p tcp -m tcp --dport 80 -j DNAT --to-destination 10.96.0.20:8080;=;OK
-j DNAT --to-destination 1.1.1.1 --random-fully;;FAIL
-j DNAT --to-destination 1.1.1.1 --random --random;;FAIL
-j DNAT --to-destination [1.1.1.1]:80;;FAIL
-p tcp -j DNAT --to-destination 1.1.1.1:80:90;;FAIL
-p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/0;;FAIL
-j DNAT --to-destination dead::beef;;FAIL
-j DNAT --to-destination example.com;;FAIL
-j DNAT --to-destination 1.1.1;;FAIL
@filter
-j DNAT --to-destination 1.1.1.1;;FAIL
@nat/ipv6
-j DNAT --to-destination dead::beef;=;OK
-j DNAT --to-destination dead::beef-dead::fee7;=;OK
-j DNAT --to-destination [dead::beef]:1025-65535;;FAIL
-p tcp -j DNAT --to-destination [dead::beef]:1025-65535;=;OK
-p tcp -j DNAT --to-destination [dead::beef-dead::fee7]:1025-65535;=;OK
-p tcp -j DNAT --to-destination [dead::beef-dead::fee7]:1025-65536;;FAIL
-p tcp -j DNAT --to-destination [dead::beef-dead::fee7]:1025-65535 --to-destination [dead::beef-dead::fee8]:1025-65535;;FAIL
-j DNAT;;FAIL
-j DNAT --to-destination [dead::beef];-j DNAT --to-destination dead::beef;OK
-j DNAT --to-destination DEAD:0:0::BEEF;-j DNAT --to-destination dead::beef;OK
-p tcp -j DNAT --to-destination :80;=;OK
-p tcp -j DNAT --to-destination [dead::beef:80;;FAIL
-j DNAT --to-destination 1.1.1.1;;FAIL
