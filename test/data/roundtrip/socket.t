# socket (xt_socket, PREROUTING/INPUT): flags only, saved in the order transparent, nowildcard, restore-skmark
@mangle
-p tcp -m socket -j ISTIO_DIVERT;=;OK
-m socket --transparent;=;OK
-m socket --nowildcard;=;OK
-m socket --restore-skmark;=;OK
-m socket --restore-skmark --nowildcard --transparent;-m socket --transparent --nowildcard --restore-skmark;OK
@mangle/ipv6
-p tcp -m socket --transparent -j ISTIO_DIVERT;=;OK
@mangle
-m socket ! --transparent;;FAIL
-m socket --transparent --transparent;;FAIL
-m socket --bogus;;FAIL
