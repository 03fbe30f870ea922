# connmark match: same syntax and hex save form as mark
@mangle
-m connmark --mark 0x539;=;OK
-m connmark --mark 1337;-m connmark --mark 0x539;OK
-m connmark ! --mark 1337/0xff;-m connmark ! --mark 0x539/0xff;OK
-m connmark --mark 0/0xffffffff;-m connmark --mark 0x0;OK
-p tcp -m connmark --mark 1337 -j ACCEPT;-p tcp -m connmark --mark 0x539 -j ACCEPT;OK
@mangle/ipv6
-m connmark --mark 0x1/0x1;=;OK
@mangle
-m connmark;;FAIL
-m connmark --mark 4294967296;;FAIL
-m connmark --mark x;;FAIL
-m connmark --mark 1 --mark 2;;FAIL
