# statistic: probability stored as round(p * 2^31) and printed with %.11f; nth always saves --packet (libxt_statistic.c)
@nat
-m statistic --mode random --probability 0.5;-m statistic --mode random --probability 0.50000000000;OK
-m statistic --mode random --probability 0.50000000000;=;OK
-m statistic --mode random --probability 0.1;-m statistic --mode random --probability 0.10000000009;OK
-m statistic --mode random --probability 0.33333333349;=;OK
-m statistic --mode random --probability .25;-m statistic --mode random --probability 0.25000000000;OK
-m statistic --mode random --probability 1;-m statistic --mode random --probability 1.00000000000;OK
-m statistic --mode random --probability 0;-m statistic --mode random --probability 0.00000000000;OK
-m statistic --mode random ! --probability 0.5;-m statistic --mode random ! --probability 0.50000000000;OK
-m statistic --mode random --probability 0.0000000001;-m statistic --mode random --probability 0.00000000000;OK
-m statistic --mode random --probability 0.9999999999;-m statistic --mode random --probability 1.00000000000;OK
-m statistic --mode random --probability 0.0000000003;-m statistic --mode random --probability 0.00000000047;OK
-m statistic --mode random ! --probability 0;-m statistic --mode random ! --probability 0.00000000000;OK
-m statistic --mode nth --every 1 --packet 0;=;OK
-m statistic --mode nth ! --every 1 --packet 0;=;OK
-m statistic ! --probability 0.5 --mode random;-m statistic --mode random ! --probability 0.50000000000;OK
-m statistic --mode nth --every 2 --packet 0;=;OK
-m statistic --mode nth --every 3 --packet 2;=;OK
-m statistic --mode nth --every 3;;FAIL
-m statistic --mode nth ! --every 2 --packet 1;=;OK
-p tcp -m statistic --mode random --probability 0.25 -j KUBE-SEP-ABC;-p tcp -m statistic --mode random --probability 0.25000000000 -j KUBE-SEP-ABC;OK
@nat/ipv6
-m statistic --mode nth --every 2 --packet 0;=;OK
@nat
-m statistic;;FAIL
-m statistic --probability 0.5;;FAIL
-m statistic --mode random;;FAIL
-m statistic --mode nth;;FAIL
-m statistic --mode nth --packet 0;;FAIL
-m statistic --mode bogus --probability 0.5;;FAIL
-m statistic --mode random --probability 1.5;;FAIL
-m statistic --mode random --probability -0.1;;FAIL
-m statistic --mode random --probability half;;FAIL
-m statistic --mode random --probability 0.5 --every 2;;FAIL
-m statistic --mode nth --every 0 --packet 0;;FAIL
-m statistic --mode nth --every 2 --packet 2;;FAIL
-m statistic --mode nth --probability 0.5;;FAIL
-m statistic ! --mode random --probability 0.5;;FAIL
-m statistic --mode nth --every 2 ! --packet 0;;FAIL
