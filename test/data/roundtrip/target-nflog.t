# NFLOG (libxt_NFLOG.t): prefix, group, size (or legacy range), threshold; defaults
# (group 0, threshold 0) are not printed; prefixes are cut to 63 characters.
@filter
-j NFLOG --nflog-group 1;=;OK
-j NFLOG --nflog-group 65535;=;OK
-j NFLOG --nflog-group 65536;;FAIL
-j NFLOG --nflog-group 0;-j NFLOG;OK
-j NFLOG --nflog-size 0;=;OK
-j NFLOG --nflog-size 1;=;OK
-j NFLOG --nflog-size 4294967295;=;OK
-j NFLOG --nflog-size 4294967296;;FAIL
-j NFLOG --nflog-size -1;;FAIL
-j NFLOG --nflog-prefix xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx;=;OK
-j NFLOG --nflog-prefix xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx;-j NFLOG --nflog-prefix xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx;OK
-j NFLOG --nflog-threshold 1;=;OK
-j NFLOG --nflog-threshold 65535;=;OK
-j NFLOG --nflog-threshold 65536;;FAIL
-j NFLOG;=;OK
-j NFLOG --nflog-range 1;=;OK
-j NFLOG --nflog-range 1 --nflog-size 2;;FAIL
-j NFLOG --nflog-group 1337 --nflog-prefix "istio trace";-j NFLOG --nflog-prefix "istio trace" --nflog-group 1337;OK
-j NFLOG --nflog-prefix "";;FAIL
-j NFLOG --nflog-group 1 --nflog-group 2;;FAIL
@nat/ipv6
-j NFLOG --nflog-prefix v6 --nflog-group 2;=;OK
