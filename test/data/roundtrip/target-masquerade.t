# MASQUERADE (libxt_NAT.c): nat table; --to-ports needs a port protocol.
@nat
-j MASQUERADE;=;OK
-o eth0 -j MASQUERADE;=;OK
-p tcp -j MASQUERADE --to-ports 1024;=;OK
-p udp -j MASQUERADE --to-ports 1024-65535 --random;=;OK
-p tcp -j MASQUERADE --to-port 1024;-p tcp -j MASQUERADE --to-ports 1024;OK
-j MASQUERADE --random-fully;=;OK
-j MASQUERADE --random-fully --random;-j MASQUERADE --random --random-fully;OK
-j MASQUERADE --to-ports 1024;;FAIL
-p tcp -j MASQUERADE --to-ports 1024:2048;;FAIL
-p tcp -j MASQUERADE --to-ports 1024-2048/1500;;FAIL
-j MASQUERADE --persistent;;FAIL
-j MASQUERADE --to-source 1.1.1.1;;FAIL
@filter
-j MASQUERADE;;FAIL
@nat/ipv6
-j MASQUERADE;=;OK
-p tcp -j MASQUERADE --to-ports 1024-2048;=;OK
