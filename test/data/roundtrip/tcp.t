# tcp match: implicit with -p tcp, saved as explicit -m tcp
@filter
-p tcp --dport 15008 -j RETURN;-p tcp -m tcp --dport 15008 -j RETURN;OK
-p tcp -m tcp --sport 1:1023 -j ACCEPT;=;OK
-p tcp -m tcp ! --dport 53;=;OK
-p tcp --dport ! 53;;FAIL
-p tcp -m tcp --dport 22:;-p tcp -m tcp --dport 22:65535;OK
-p tcp -m tcp --syn;-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN;OK
-p tcp -m tcp --tcp-flags ALL NONE;-p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE;OK
-p tcp --dport ssh;-p tcp -m tcp --dport 22;OK
-p tcp --dport 70000;;FAIL
-p tcp --dport 5:1;;FAIL
-p udp --tcp-flags SYN SYN;;FAIL
# full port ranges are left out of the save text (libxt_tcp.t)
-p tcp -m tcp --sport :;-p tcp -m tcp;OK
-p tcp -m tcp --sport :4;-p tcp -m tcp --sport 0:4;OK
-p tcp -m tcp --sport 4:4;-p tcp -m tcp --sport 4;OK
-p tcp -m tcp ! --sport 1 --dport 65535;=;OK
-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN;=;OK
-p tcp -m tcp ! --tcp-flags FIN,SYN,RST,PSH,ACK,URG SYN;=;OK
-m tcp --dport 1 -p tcp;-p tcp -m tcp --dport 1;OK
-m tcp --dport 1 -p 6;-p tcp -m tcp --dport 1;OK
-p tcp -m tcp;=;OK
# -m tcp needs -p tcp (xt_check_match), not negated
-m tcp --dport 1;;FAIL
! -p tcp -m tcp --dport 1;;FAIL
-p tcp -m tcp --sport 65536;;FAIL
-p tcp -m tcp --sport -1;;FAIL
-p tcp -m tcp --dport 1 --dport 2;;FAIL
-p tcp -m tcp --syn --tcp-flags SYN SYN;;FAIL
