# TRACE (libxt_TRACE.c): no options, raw table only.
@raw
-j TRACE;=;OK
-p tcp -m tcp --dport 80 -j TRACE;=;OK
-j TRACE --log-prefix x;;FAIL
@filter
-j TRACE;;FAIL
@mangle
-j TRACE;;FAIL
@raw/ipv6
-j TRACE;=;OK
