# MARK (libxt_MARK.t; revision 2): every form is saved as --set-xmark 0xVALUE/0xMASK.
# --set-mark v/m means mask m|v; --and-mark v: 0/~v; --or-mark v: v/v; --xor-mark v: v/0.
@mangle
-j MARK --set-xmark 0xfeedcafe/0xfeedcafe;=;OK
-j MARK --set-xmark 0x0;-j MARK --set-xmark 0x0/0xffffffff;OK
-j MARK --set-xmark 4294967295;-j MARK --set-xmark 0xffffffff/0xffffffff;OK
-j MARK --set-xmark 4294967296;;FAIL
-j MARK --set-xmark -1;;FAIL
-j MARK;;FAIL
-j MARK --set-mark 1338;-j MARK --set-xmark 0x53a/0xffffffff;OK
-j MARK --set-mark 0x1/0x3;-j MARK --set-xmark 0x1/0x3;OK
-j MARK --set-mark 0x4/0x3;-j MARK --set-xmark 0x4/0x7;OK
-j MARK --set-xmark 0x4/0x3;=;OK
-j MARK --and-mark 0xff;-j MARK --set-xmark 0x0/0xffffff00;OK
-j MARK --and-mark 0;-j MARK --set-xmark 0x0/0xffffffff;OK
-j MARK --or-mark 0x10;-j MARK --set-xmark 0x10/0x10;OK
-j MARK --xor-mark 0x10;-j MARK --set-xmark 0x10/0x0;OK
-j MARK --set-mark 010;-j MARK --set-xmark 0x8/0xffffffff;OK
-j MARK --set-mark 08;;FAIL
-j MARK --set-mark 1 --or-mark 2;;FAIL
-j MARK --set-mark 1 --set-mark 2;;FAIL
-j MARK --set-mark 1/;;FAIL
-j MARK --set-mark 1/0x100000000;;FAIL
-j MARK --set-mark abc;;FAIL
-j MARK --and-mark 1/2;;FAIL
-j MARK --or-mark 4294967296;;FAIL
-p tcp -m tcp --dport 15001 -j MARK --set-mark 1337;-p tcp -m tcp --dport 15001 -j MARK --set-xmark 0x539/0xffffffff;OK
@filter
-j MARK --set-mark 1;-j MARK --set-xmark 0x1/0xffffffff;OK
@mangle/ipv6
-j MARK --set-mark 1337;-j MARK --set-xmark 0x539/0xffffffff;OK
