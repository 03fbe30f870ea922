# comment: always matches; saved with xtables_save_string quoting; at most 255 bytes (libxt_comment.t)
@filter
-m comment --comment istio;=;OK
-m comment --comment "istio";-m comment --comment istio;OK
-m comment --comment "default/kubernetes:https";=;OK
-m comment --comment "hello world";=;OK
-m comment --comment "say \"hi\"";=;OK
-m comment --comment "back\\slash";=;OK
-m comment --comment "it\'s";=;OK
-m comment --comment "";=;OK
-m comment --comment abc_DEF-123;=;OK
-p tcp -m comment --comment "kube-proxy rule" -m tcp --dport 80 -j ACCEPT;=;OK
-m comment --comment xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx;=;OK
@nat/ipv6
-m comment --comment v6;=;OK
@filter
-m comment --comment xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx;;FAIL
-m comment;;FAIL
-m comment --comment;;FAIL
-m comment ! --comment x;;FAIL
-m comment --comment a --comment b;;FAIL
# iptables-restore does not group with single quotes: the second word is a stray argument
-m comment --comment 'single quoted';;FAIL
