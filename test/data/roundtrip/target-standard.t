# ACCEPT, DROP, RETURN: no options; ACCEPT and RETURN in every table, DROP not in nat (iptables: "not intended for filtering")
@filter
-j ACCEPT;=;OK
-j DROP;=;OK
-j RETURN;=;OK
-p tcp -m tcp --dport 15008 -j RETURN;=;OK
-o lo -s 127.0.0.6/32 -j RETURN;-s 127.0.0.6/32 -o lo -j RETURN;OK
-j ACCEPT --reject-with tcp-reset;;FAIL
-j ACCEPT -j DROP;;FAIL
-j DROP --random;;FAIL
-j RETURN --to-ports 1;;FAIL
@nat
-p tcp -j RETURN;=;OK
@raw/ipv6
-j ACCEPT;=;OK
# The generic options, as iptables 1.8 takes them: "!" before the option, each option once.
-s ! 10.0.0.1 -j ACCEPT;;FAIL
-p ! tcp -j ACCEPT;;FAIL
-i ! eth0 -j ACCEPT;;FAIL
! -p tcp -j ACCEPT;=;OK
-s 1.1.1.1 -s 2.2.2.2 -j ACCEPT;;FAIL
-p tcp -p udp -j ACCEPT;;FAIL
-i eth0 --in-interface lo -j ACCEPT;;FAIL
@nat
-j DROP;;FAIL
-j ACCEPT;=;OK
