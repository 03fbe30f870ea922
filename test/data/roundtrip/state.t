# state: stored as a conntrack match flagged as the state alias, saved back as -m state --state (print_state order)
@filter
-m state --state NEW;=;OK
-m state --state ESTABLISHED,RELATED;-m state --state RELATED,ESTABLISHED;OK
-m state --state INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED;=;OK
-m state --state UNTRACKED,INVALID;-m state --state INVALID,UNTRACKED;OK
-m state ! --state NEW,INVALID;-m state ! --state INVALID,NEW;OK
-m state --state ! NEW;;FAIL
-m state --state new;-m state --state NEW;OK
-p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT;=;OK
@filter/ipv6
-m state --state RELATED,ESTABLISHED -j ACCEPT;=;OK
@filter
-m state;;FAIL
-m state --state SNAT;;FAIL
-m state --state DNAT;;FAIL
-m state --state bogus;;FAIL
-m state --state NEW,,ESTABLISHED;;FAIL
-m state --state NEW --state ESTABLISHED;;FAIL
-m state --ctstate NEW;;FAIL
