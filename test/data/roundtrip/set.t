# set (xt_set revision 4): --match-set NAME FLAGS, then --return-nomatch, ! --update-counters, ! --update-subcounters, the counter tests
@filter
-m set --match-set KUBE-CLUSTER-IP dst,dst;=;OK
-m set ! --match-set KUBE-CLUSTER-IP dst,dst;=;OK
-m set --match-set foo src;=;OK
-m set --match-set foo src,dst,src,dst,src,dst;=;OK
-m set --set foo src;-m set --match-set foo src;OK
-m set --match-set foo src --return-nomatch;=;OK
-m set --match-set foo src ! --update-counters;=;OK
-m set --match-set foo src ! --update-subcounters;=;OK
-m set --match-set foo src --update-counters;-m set --match-set foo src;OK
-m set --match-set foo src --packets-eq 1;=;OK
-m set --match-set foo src ! --packets-eq 1;=;OK
-m set --match-set foo src --packets-lt 10 --bytes-gt 100;=;OK
-m set --bytes-gt 100 --return-nomatch --match-set foo dst;-m set --match-set foo dst --return-nomatch --bytes-gt 100;OK
-m set --match-set foo src -m set --match-set bar dst;=;OK
@filter/ipv6
-m set --match-set KUBE-6-CLUSTER-IP dst,dst;=;OK
@filter
-m set;;FAIL
-m set --match-set foo;;FAIL
-m set --match-set foo sideways;;FAIL
-m set --match-set foo src,dst,src,dst,src,dst,src;;FAIL
-m set --match-set foo src --match-set bar dst;;FAIL
-m set --match-set foo src --packets-eq -1;;FAIL
-m set --match-set foo src ! --packets-gt 1;;FAIL
-m set --match-set foo src --packets-eq 1 --packets-gt 2;;FAIL
-m set --match-set abcdefghijabcdefghijabcdefghijabc src;;FAIL
