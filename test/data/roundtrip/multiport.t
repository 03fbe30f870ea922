# multiport: explicit -m multiport, no -m tcp added; needs -p tcp|udp|udplite|dccp|sctp (libxt_multiport.t)
@filter
-p tcp -m multiport --sports 53,1024:65535;=;OK
-p tcp -m multiport --dports 53,1024:65535;=;OK
-p udp -m multiport --sports 53,1024:65535;=;OK
-p udp -m multiport --ports 53,1024:65535;=;OK
-p sctp -m multiport --dports 53,1024:65535;=;OK
-p dccp -m multiport --sports 53,1024:65535;=;OK
-p udplite -m multiport --dports 53,1024:65535;=;OK
-p tcp -m multiport ! --dports 53,15008;=;OK
-p tcp -m multiport --dports ! 53,15008;;FAIL
-p tcp -m multiport --destination-ports 80,443;-p tcp -m multiport --dports 80,443;OK
-p tcp -m multiport --source-ports 80,443;-p tcp -m multiport --sports 80,443;OK
-p tcp -m multiport --dports http,https,ssh;-p tcp -m multiport --dports 80,443,22;OK
-p tcp -m multiport --ports 1,2,3,4,6,7,8,9,10,11,12,13,14,15;=;OK
-p tcp -m multiport --ports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15;=;OK
-p tcp -m multiport --dports 1:2,3,4,5,6,7,8,9,10,11,12,13,14;=;OK
-p tcp -m multiport --dports 53 -m multiport --sports 1024:65535;=;OK
@nat
-p tcp -m multiport ! --dports 15090,15021,15020 -j RETURN;=;OK
@filter/ipv6
-p tcp -m multiport --dports 53,15008;=;OK
@filter
-p tcp -m multiport --sports 1024:65536;;FAIL
-p tcp -m multiport --ports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16;;FAIL
-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14:15;=;OK
-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15:16;;FAIL
-p tcp -m multiport --dports 80:80;;FAIL
-p tcp -m multiport --dports 90:80;;FAIL
-p tcp -m multiport --dports 80,,90;;FAIL
-p tcp -m multiport --dports 80,;;FAIL
-p tcp -m multiport --dports 1024:;;FAIL
-p tcp -m multiport --dports 80 --sports 90;;FAIL
-p tcp -m multiport;;FAIL
-p tcp --multiport;;FAIL
-m multiport --dports 80;;FAIL
-p icmp -m multiport --dports 80;;FAIL
-p all -m multiport --dports 80;;FAIL
! -p tcp -m multiport --dports 80;;FAIL
