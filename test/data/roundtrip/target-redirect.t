# REDIRECT (libxt_NAT.c): nat table only; ports need -p tcp, udp, sctp or dccp
# (libxt_NAT also lets -p icmp through); saved as --to-ports, flags after the ports.
@nat
-p tcp -j REDIRECT --to-ports 15001;=;OK
-p tcp -j REDIRECT --to-port 15006;-p tcp -j REDIRECT --to-ports 15006;OK
-p tcp -m tcp --dport 80 -j REDIRECT --to-ports 8080;=;OK
-p udp -j REDIRECT --to-ports 15053;=;OK
-p sctp -j REDIRECT --to-ports 1;=;OK
-p dccp -j REDIRECT --to-ports 1;=;OK
-p icmp -j REDIRECT --to-ports 1;=;OK
-p tcp -j REDIRECT --to-ports 1000-2000;=;OK
-p tcp -j REDIRECT --to-ports 1000-1000;-p tcp -j REDIRECT --to-ports 1000;OK
-p tcp -j REDIRECT --to-ports 0x50;-p tcp -j REDIRECT --to-ports 80;OK
-p tcp -j REDIRECT --to-ports http;-p tcp -j REDIRECT --to-ports 80;OK
-p tcp -j REDIRECT --random --to-ports 42;-p tcp -j REDIRECT --to-ports 42 --random;OK
-j REDIRECT;=;OK
-j REDIRECT --random;=;OK
-j REDIRECT --to-ports 15001;;FAIL
-p gre -j REDIRECT --to-ports 15001;;FAIL
-p tcp -j REDIRECT --to-ports 65536;;FAIL
-p tcp -j REDIRECT --to-ports 2000-1000;;FAIL
-p tcp -j REDIRECT --to-ports 1000:2000;;FAIL
-p tcp -j REDIRECT --to-ports 1000-2000/1500;;FAIL
-p tcp -j REDIRECT --to-ports 1000-http;;FAIL
-p tcp -j REDIRECT --to-ports 15001x;;FAIL
-p tcp -j REDIRECT --to-ports nosuchservice;;FAIL
-p tcp -j REDIRECT --to-ports 15001 --to-ports 15002;;FAIL
-p tcp -j REDIRECT --to-ports;;FAIL
-p tcp -j REDIRECT --random-fully;;FAIL
@filter
-p tcp -j REDIRECT --to-ports 15001;;FAIL
@mangle
-p tcp -j REDIRECT --to-ports 15001;;FAIL
@nat/ipv6
-p tcp -j REDIRECT --to-ports 15001;=;OK
-s ::6/128 -o lo -p tcp -j REDIRECT --to-ports 15006;=;OK
-j REDIRECT --to-ports 15001;;FAIL
