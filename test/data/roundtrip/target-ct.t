# CT (libxt_CT.t; raw table only). Save order: --notrack --helper --timeout --ctevents
# --expevents --zone; zone 0 is not printed; events are printed in the kernel's order.
@raw
-j CT --notrack;=;OK
-j CT --ctevents new,related,destroy,reply,assured,protoinfo,helper,mark;=;OK
-j CT --ctevents mark,new,mark;-j CT --ctevents new,mark;OK
-j CT --expevents new;=;OK
-j CT --zone 0;-j CT;OK
-j CT --zone 65535;=;OK
-j CT --zone 65536;;FAIL
-j CT --zone -1;;FAIL
-j CT;=;OK
-j CT --timeout test;=;OK
-j CT --helper rpc;=;OK
-j CT --zone 1 --helper ftp;-j CT --helper ftp --zone 1;OK
-j CT --helper abcdefghijklmnopqrst;-j CT --helper abcdefghijklmno;OK
-p udp -m udp --dport 53 -j CT --zone 1;=;OK
-j CT --zone 0x10;-j CT --zone 16;OK
-j CT --zone-orig 1;=;OK
-j CT --zone-reply 2;=;OK
-j CT --zone mark;=;OK
-j CT --zone-orig mark;=;OK
-j CT --zone MARK;-j CT --zone mark;OK
-j CT --zone-orig 1 --zone-reply 2;-j CT --zone 2;OK
-j CT --zone 1 --notrack;-j CT --notrack --zone 1;OK
-j CT --ctevents bogus;;FAIL
-j CT --ctevents new,;;FAIL
-j CT --expevents destroy;;FAIL
-j CT --zone 1 --zone 2;;FAIL
-j CT --zone abc;;FAIL
-j CT --notrack --notrack;;FAIL
@mangle
-j CT --zone 1;;FAIL
@filter
-j CT --notrack;;FAIL
@raw/ipv6
-p udp -m udp --dport 53 -j CT --zone 2;=;OK
-j CT --notrack;=;OK
