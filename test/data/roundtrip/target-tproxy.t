# TPROXY (libxt_TPROXY.c; kernel xt_TPROXY.c): mangle table, plain -p tcp or -p udp,
# --on-port required; always saved as --on-port N --on-ip ADDR --tproxy-mark 0xV/0xM.
@mangle
-p tcp -j TPROXY --tproxy-mark 1337/0xffffffff --on-port 15006;-p tcp -j TPROXY --on-port 15006 --on-ip 0.0.0.0 --tproxy-mark 0x539/0xffffffff;OK
-p tcp -j TPROXY --on-port 15006 --on-ip 0.0.0.0 --tproxy-mark 0x539/0xffffffff;=;OK
! -d 127.0.0.1/32 -p tcp -j TPROXY --on-port 15006 --on-ip 0.0.0.0 --tproxy-mark 0x539/0xffffffff;=;OK
-p udp -j TPROXY --on-port 0;-p udp -j TPROXY --on-port 0 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0;OK
-p tcp -j TPROXY --on-port 1 --on-ip 127.0.0.1 --tproxy-mark 0x1;-p tcp -j TPROXY --on-port 1 --on-ip 127.0.0.1 --tproxy-mark 0x1/0xffffffff;OK
-p tcp -j TPROXY --on-port 1 --tproxy-mark 0x1/0x1;-p tcp -j TPROXY --on-port 1 --on-ip 0.0.0.0 --tproxy-mark 0x1/0x1;OK
-p tcp -j TPROXY --on-port http;-p tcp -j TPROXY --on-port 80 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0;OK
-p tcp -j TPROXY --on-ip 127.0.0.1;;FAIL
-j TPROXY --on-port 15006;;FAIL
! -p tcp -j TPROXY --on-port 15006;;FAIL
-p icmp -j TPROXY --on-port 1;;FAIL
-p sctp -j TPROXY --on-port 1;;FAIL
-p tcp -j TPROXY --on-port 65536;;FAIL
-p tcp -j TPROXY --on-port 1 --on-ip ::1;;FAIL
-p tcp -j TPROXY --on-port 1 --on-ip 10.0.0.0/8;;FAIL
-p tcp -j TPROXY --on-port 1 --tproxy-mark 1/2/3;;FAIL
-p tcp -j TPROXY --on-port 1 --on-port 2;;FAIL
@nat
-p tcp -j TPROXY --on-port 15006;;FAIL
@filter
-p tcp -j TPROXY --on-port 15006;;FAIL
@mangle/ipv6
-p tcp -j TPROXY --on-port 15006 --tproxy-mark 0x539/0xffffffff;-p tcp -j TPROXY --on-port 15006 --on-ip :: --tproxy-mark 0x539/0xffffffff;OK
-p tcp -j TPROXY --on-port 15006 --on-ip ::1;-p tcp -j TPROXY --on-port 15006 --on-ip ::1 --tproxy-mark 0x0/0x0;OK
-p tcp -j TPROXY --on-port 15006 --on-ip 0:0::0;-p tcp -j TPROXY --on-port 15006 --on-ip :: --tproxy-mark 0x0/0x0;OK
-p tcp -j TPROXY --on-port 1 --on-ip 127.0.0.1;;FAIL
