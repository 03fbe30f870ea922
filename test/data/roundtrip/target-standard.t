# ACCEPT, DROP, RETURN: no options, valid in every table
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
