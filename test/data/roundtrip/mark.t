# mark: saved in hex, mask only when not 0xffffffff (libxt_mark.t)
@mangle
-m mark --mark 0xfeedcafe/0xfeedcafe;=;OK
-m mark --mark 0x0;=;OK
-m mark --mark 4294967295;-m mark --mark 0xffffffff;OK
-m mark --mark 1337;-m mark --mark 0x539;OK
-m mark --mark 1337/0xffff;-m mark --mark 0x539/0xffff;OK
-m mark --mark 1337/4294967295;-m mark --mark 0x539;OK
-m mark --mark 0X539;-m mark --mark 0x539;OK
-m mark --mark 010;-m mark --mark 0x8;OK
-p tcp -i lo -m mark ! --mark 1338 -j RETURN;-i lo -p tcp -m mark ! --mark 0x53a -j RETURN;OK
-p tcp -o lo -m mark --mark 1337 -j RETURN;-o lo -p tcp -m mark --mark 0x539 -j RETURN;OK
@filter/ipv6
-m mark --mark 0x539;=;OK
@mangle
-m mark --mark 4294967296;;FAIL
-m mark --mark -1;;FAIL
-m mark --mark 1/4294967296;;FAIL
-m mark --mark 0x;;FAIL
-m mark --mark 12abc;;FAIL
-m mark --mark 1/;;FAIL
-m mark;;FAIL
-m mark --mark 1 --mark 2;;FAIL
