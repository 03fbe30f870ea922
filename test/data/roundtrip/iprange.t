# iprange (revision 1): a-b, a single address saves as a-a; a reversed range is accepted (never matches)
@filter
-m iprange --src-range 1.1.1.1-1.1.1.10;=;OK
-m iprange ! --src-range 1.1.1.1-1.1.1.10;=;OK
-m iprange --dst-range 1.1.1.1-1.1.1.10;=;OK
-m iprange ! --dst-range 1.1.1.1-1.1.1.10;=;OK
-m iprange --src-range 1.1.1.1;-m iprange --src-range 1.1.1.1-1.1.1.1;OK
-m iprange --dst-range 10.0.0.9-10.0.0.1;=;OK
-m iprange --dst-range 10.0.0.1-10.0.0.9 --src-range 10.0.1.1-10.0.1.9;-m iprange --src-range 10.0.1.1-10.0.1.9 --dst-range 10.0.0.1-10.0.0.9;OK
-m iprange --src-range ! 1.1.1.1-1.1.1.2;;FAIL
@filter/ipv6
-m iprange --src-range fd00::1-fd00::ff;=;OK
-m iprange --dst-range fd00:0000::0001-fd00::0002;-m iprange --dst-range fd00::1-fd00::2;OK
-m iprange --src-range 1.1.1.1-1.1.1.2;;FAIL
@filter
-m iprange;;FAIL
-m iprange --src-range 1.1.1.1-;;FAIL
-m iprange --src-range -1.1.1.1;;FAIL
-m iprange --src-range 1.1.1.1/24;;FAIL
-m iprange --src-range host.example-1.1.1.2;;FAIL
-m iprange --src-range fd00::1-fd00::2;;FAIL
-m iprange --src-range 1.1.1.1-1.1.1.2 --src-range 1.1.1.3-1.1.1.4;;FAIL
