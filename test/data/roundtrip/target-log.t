# LOG (libxt_LOG.c): prefix first (quoted like xtables_save_string), then a non-default
# level as a number, then the flags in fixed order; prefixes are cut to 29 characters.
@filter
-j LOG;=;OK
-j LOG --log-prefix "test: ";=;OK
-j LOG --log-prefix "test: " --log-level 1;=;OK
-j LOG --log-level 3 --log-prefix x;-j LOG --log-prefix x --log-level 3;OK
-j LOG --log-level 4;-j LOG;OK
-j LOG --log-level warning;-j LOG;OK
-j LOG --log-level debug;-j LOG --log-level 7;OK
-j LOG --log-level panic;-j LOG --log-level 0;OK
-j LOG --log-level error;-j LOG --log-level 3;OK
-j LOG --log-level 8;;FAIL
-j LOG --log-level bogus;;FAIL
-j LOG --log-prefix ISTIO;=;OK
-j LOG --log-prefix "a\"b";=;OK
-j LOG --log-prefix "it's";-j LOG --log-prefix "it\'s";OK
-j LOG --log-prefix "";;FAIL
-j LOG --log-prefix 123456789012345678901234567890123;-j LOG --log-prefix 12345678901234567890123456789;OK
-j LOG --log-uid --log-tcp-sequence;-j LOG --log-tcp-sequence --log-uid;OK
-j LOG --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid --log-macdecode;=;OK
-j LOG --log-uid --log-uid;;FAIL
-j LOG --log-prefix a --log-prefix b;;FAIL
@raw/ipv6
-j LOG --log-prefix v6;=;OK
