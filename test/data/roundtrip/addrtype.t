# addrtype (revision 1): types in rtnetlink order, comma separated (libxt_addrtype.c save)
@filter
-m addrtype --src-type LOCAL;=;OK
-m addrtype --dst-type LOCAL;=;OK
-m addrtype ! --dst-type LOCAL;=;OK
-m addrtype --dst-type ! LOCAL;;FAIL
-m addrtype --dst-type MULTICAST,BROADCAST,LOCAL,UNICAST;-m addrtype --dst-type UNICAST,LOCAL,BROADCAST,MULTICAST;OK
-m addrtype --src-type local --dst-type unicast;-m addrtype --src-type LOCAL --dst-type UNICAST;OK
-m addrtype --dst-type LOC;-m addrtype --dst-type LOCAL;OK
-m addrtype --dst-type LOCAL --src-type LOCAL;-m addrtype --src-type LOCAL --dst-type LOCAL;OK
-m addrtype --dst-type LOCAL --limit-iface-in;=;OK
-m addrtype --src-type LOCAL --limit-iface-out;=;OK
-m addrtype --dst-type UNSPEC,UNICAST,LOCAL,BROADCAST,ANYCAST,MULTICAST,BLACKHOLE,UNREACHABLE,PROHIBIT,THROW,NAT,XRESOLVE;=;OK
@nat
-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS;=;OK
@filter/ipv6
-m addrtype --dst-type LOCAL;=;OK
-m addrtype --dst-type UNICAST,ANYCAST,MULTICAST,UNREACHABLE;=;OK
-m addrtype --dst-type BROADCAST;;FAIL
-m addrtype --src-type BLACKHOLE;;FAIL
-m addrtype --dst-type PROHIBIT;;FAIL
-m addrtype --dst-type NAT;;FAIL
@filter
-m addrtype;;FAIL
-m addrtype --limit-iface-in;;FAIL
-m addrtype --dst-type LOCAL --limit-iface-in --limit-iface-out;;FAIL
-m addrtype --dst-type BOGUS;;FAIL
-m addrtype --dst-type LOCAL,;;FAIL
-m addrtype --dst-type LOCAL --dst-type UNICAST;;FAIL
-m addrtype ! --limit-iface-in --dst-type LOCAL;;FAIL
