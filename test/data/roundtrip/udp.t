# udp match: implicit with -p udp, saved as explicit -m udp (libxt_udp.t)
@filter
-p udp --dport 53 -j RETURN;-p udp -m udp --dport 53 -j RETURN;OK
-p udp -m udp --sport 1;=;OK
-p udp -m udp --dport 65535;=;OK
-p udp -m udp --sport 1024:65535;=;OK
-p udp -m udp --sport 1024:;-p udp -m udp --sport 1024:65535;OK
-p udp -m udp --sport :;-p udp -m udp;OK
-p udp -m udp --dport :4;-p udp -m udp --dport 0:4;OK
-p udp -m udp --dport 4:4;-p udp -m udp --dport 4;OK
-p udp -m udp ! --sport 1;=;OK
-p udp -m udp ! --dport 65535;=;OK
-p udp -m udp ! --sport 65535 --dport 1;=;OK
-p udp --dport ! 53;;FAIL
-p udp --destination-port 53 --source-port 1000;-p udp -m udp --sport 1000 --dport 53;OK
-p udp --dport domain;-p udp -m udp --dport 53;OK
-m udp --dport 1 -p udp;-p udp -m udp --dport 1;OK
-m udp --dport 1 -p 17;-p udp -m udp --dport 1;OK
-p udp -m udp;=;OK
@nat
-d 10.96.0.10/32 -p udp -m udp --dport 53 -j ISTIO_REDIRECT;=;OK
@filter/ipv6
-p udp -m udp --dport 53;=;OK
@filter
-p udp -m udp --sport -1;;FAIL
-p udp -m udp --dport 65536;;FAIL
-p udp -m udp --dport 5:1;;FAIL
-p udp -m udp --dport nosuchservice;;FAIL
-m udp --dport 1;;FAIL
-p tcp -m udp --dport 1;;FAIL
! -p udp -m udp --dport 1;;FAIL
-p udp -m udp --dport 1 --dport 2;;FAIL
-p udp --tcp-flags SYN SYN;;FAIL
