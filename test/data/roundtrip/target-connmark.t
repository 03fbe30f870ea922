# CONNMARK (libxt_CONNMARK.t; revision 2): set forms are saved as --set-xmark 0xV/0xM,
# save/restore always with both masks; a non-zero shift is appended.
@mangle
-j CONNMARK --save-mark;-j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff;OK
-j CONNMARK --restore-mark;-j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff;OK
-j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff;=;OK
-j CONNMARK --restore-mark --nfmask 0x539 --ctmask 0xffff;=;OK
-j CONNMARK --restore-mark --ctmask 0xff00 --nfmask 0xff;-j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff00;OK
-j CONNMARK --save-mark --mask 0xff;-j CONNMARK --save-mark --nfmask 0xff --ctmask 0xff;OK
-j CONNMARK --set-mark 1337;-j CONNMARK --set-xmark 0x539/0xffffffff;OK
-j CONNMARK --set-mark 0x4/0x3;-j CONNMARK --set-xmark 0x4/0x7;OK
-j CONNMARK --set-xmark 0x1/0x3;=;OK
-j CONNMARK --and-mark 0xf;-j CONNMARK --set-xmark 0x0/0xfffffff0;OK
-j CONNMARK --or-mark 0x2;-j CONNMARK --set-xmark 0x2/0x2;OK
-j CONNMARK --xor-mark 0x2;-j CONNMARK --set-xmark 0x2/0x0;OK
-j CONNMARK --set-mark 1 --mask 0xff;-j CONNMARK --set-xmark 0x1/0xff;OK
-j CONNMARK --mask 0xff --set-mark 1;-j CONNMARK --set-xmark 0x1/0xffffffff;OK
-j CONNMARK --save-mark --left-shift-mark 8;-j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff --left-shift-mark 8;OK
-j CONNMARK --restore-mark --right-shift-mark 16 --ctmask 0xffff0000;-j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffff0000 --right-shift-mark 16;OK
-j CONNMARK --set-xmark 0x1/0x1 --left-shift-mark 31;=;OK
-j CONNMARK --save-mark --left-shift-mark 0;-j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff;OK
-j CONNMARK --save-mark --left-shift-mark 32;;FAIL
-j CONNMARK --save-mark --left-shift-mark 33;;FAIL
-j CONNMARK;;FAIL
-j CONNMARK --ctmask 0xff;;FAIL
-j CONNMARK --save-mark --restore-mark;;FAIL
-j CONNMARK --set-mark 1 --save-mark;;FAIL
-j CONNMARK --save-mark --mask 1 --ctmask 2;;FAIL
-j CONNMARK --save-mark --nfmask 1 --nfmask 2;;FAIL
-j CONNMARK --set-mark 4294967296;;FAIL
-j CONNMARK --save-mark --ctmask -1;;FAIL
-p tcp -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff;=;OK
@nat
-j CONNMARK --save-mark;-j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff;OK
@mangle/ipv6
-j CONNMARK --set-mark 1337;-j CONNMARK --set-xmark 0x539/0xffffffff;OK
