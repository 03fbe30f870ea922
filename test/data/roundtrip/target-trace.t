# TRACE (libxt_TRACE.c): no options. libxt_TRACE.t has it raw-only (xt_TRACE, legacy); iptables-nft
# writes it as meta nftrace, which every table takes (measured: test/kernel/module-hooks.test.ts).
@raw
-j TRACE;=;OK
-p tcp -m tcp --dport 80 -j TRACE;=;OK
-j TRACE --log-prefix x;;FAIL
@filter
-j TRACE;=;OK
@mangle
-j TRACE;=;OK
@raw/ipv6
-j TRACE;=;OK
