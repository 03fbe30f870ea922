# SNAT (libipt_SNAT.t, libip6t_SNAT.t): nat table; exactly one --to-source.
@nat
-j SNAT --to-source 1.1.1.1;=;OK
-j SNAT --to-source 1.1.1.1-1.1.1.10;=;OK
-j SNAT --to-source 1.1.1.1:1025-65535;;FAIL
-p tcp -j SNAT --to-source 1.1.1.1:1025-65535;=;OK
-p tcp -j SNAT --to-source 1.1.1.1-1.1.1.10:1025-65535;=;OK
-p tcp -j SNAT --to-source 1.1.1.1-1.1.1.10:1025-65536;;FAIL
-p tcp -j SNAT --to-source 1.1.1.1-1.1.1.10:1025-65535 --to-source 2.2.2.2-2.2.2.20:1025-65535;;FAIL
-j SNAT;;FAIL
-o eth0 -j SNAT --to-source 10.244.1.5;=;OK
-p udp -j SNAT --random-fully --persistent --random --to-source 1.1.1.1;-p udp -j SNAT --to-source 1.1.1.1 --random --random-fully --persistent;OK
-p tcp -j SNAT --to-source 1.1.1.1:1000-2000/1500;;FAIL
-j SNAT --to-destination 1.1.1.1;;FAIL
@filter
-j SNAT --to-source 1.1.1.1;;FAIL
@nat/ipv6
-j SNAT --to-source dead::beef;=;OK
-j SNAT --to-source dead::beef-dead::fee7;=;OK
-p tcp -j SNAT --to-source [dead::beef]:1025-65535;=;OK
-p tcp -j SNAT --to-source [dead::beef-dead::fee7]:1025-65535;=;OK
-j SNAT --to-source [dead::beef]:1025-65535;;FAIL
-j SNAT --to-source 1.1.1.1;;FAIL
