# REJECT (libipt_REJECT.c, libip6t_REJECT.c): filter table only; the type is always
# saved; a type may be abbreviated or given by alias, case-insensitively (first match
# in table order); tcp-reset needs a plain -p tcp (kernel checkentry).
@filter
-j REJECT;-j REJECT --reject-with icmp-port-unreachable;OK
-j REJECT --reject-with icmp-net-unreachable;=;OK
-j REJECT --reject-with icmp-host-unreachable;=;OK
-j REJECT --reject-with icmp-proto-unreachable;=;OK
-j REJECT --reject-with icmp-port-unreachable;=;OK
-j REJECT --reject-with icmp-net-prohibited;=;OK
-j REJECT --reject-with icmp-host-prohibited;=;OK
-j REJECT --reject-with icmp-admin-prohibited;=;OK
-j REJECT --reject-with net-unreach;-j REJECT --reject-with icmp-net-unreachable;OK
-j REJECT --reject-with host-unreach;-j REJECT --reject-with icmp-host-unreachable;OK
-j REJECT --reject-with proto-unreach;-j REJECT --reject-with icmp-proto-unreachable;OK
-j REJECT --reject-with port-unreach;-j REJECT --reject-with icmp-port-unreachable;OK
-j REJECT --reject-with net-prohib;-j REJECT --reject-with icmp-net-prohibited;OK
-j REJECT --reject-with host-prohib;-j REJECT --reject-with icmp-host-prohibited;OK
-j REJECT --reject-with admin-prohib;-j REJECT --reject-with icmp-admin-prohibited;OK
-j REJECT --reject-with ICMP-HOST-PROHIBITED;-j REJECT --reject-with icmp-host-prohibited;OK
-j REJECT --reject-with icmp-host;-j REJECT --reject-with icmp-host-unreachable;OK
-p tcp -j REJECT --reject-with tcp-reset;=;OK
-p tcp -j REJECT --reject-with tcp-rst;-p tcp -j REJECT --reject-with tcp-reset;OK
-p tcp -m tcp --dport 22 -j REJECT --reject-with tcp-reset;=;OK
-j REJECT --reject-with tcp-reset;;FAIL
! -p tcp -j REJECT --reject-with tcp-reset;;FAIL
-p udp -j REJECT --reject-with tcp-reset;;FAIL
-j REJECT --reject-with icmp6-port-unreachable;;FAIL
-j REJECT --reject-with bogus;;FAIL
-j REJECT --reject-with echo-reply;;FAIL
-j REJECT --reject-with icmp-port-unreachable --reject-with icmp-net-unreachable;;FAIL
@mangle
-j REJECT;;FAIL
@nat
-j REJECT;;FAIL
@raw
-j REJECT;;FAIL
@filter/ipv6
-j REJECT;-j REJECT --reject-with icmp6-port-unreachable;OK
-j REJECT --reject-with icmp6-no-route;=;OK
-j REJECT --reject-with icmp6-adm-prohibited;=;OK
-j REJECT --reject-with icmp6-addr-unreachable;=;OK
-j REJECT --reject-with icmp6-port-unreachable;=;OK
-j REJECT --reject-with icmp6-policy-fail;=;OK
-j REJECT --reject-with icmp6-reject-route;=;OK
-j REJECT --reject-with no-route;-j REJECT --reject-with icmp6-no-route;OK
-j REJECT --reject-with adm-prohibited;-j REJECT --reject-with icmp6-adm-prohibited;OK
-j REJECT --reject-with addr-unreach;-j REJECT --reject-with icmp6-addr-unreachable;OK
-j REJECT --reject-with port-unreach;-j REJECT --reject-with icmp6-port-unreachable;OK
-j REJECT --reject-with policy-fail;-j REJECT --reject-with icmp6-policy-fail;OK
-j REJECT --reject-with reject-route;-j REJECT --reject-with icmp6-reject-route;OK
-p tcp -j REJECT --reject-with tcp-reset;=;OK
-j REJECT --reject-with tcp-reset;;FAIL
-j REJECT --reject-with icmp-port-unreachable;;FAIL
-j REJECT --reject-with icmp-admin-prohibited;;FAIL
