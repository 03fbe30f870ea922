# owner: OUTPUT/POSTROUTING only (hooks enforced by the engine); names other than root are kept as written
@nat
-m owner --uid-owner 1337 -j RETURN;=;OK
-m owner ! --uid-owner 1337 -j RETURN;=;OK
-o lo -m owner --gid-owner 1337 -j RETURN;=;OK
! -d 127.0.0.1/32 -o lo -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT;=;OK
-m owner --uid-owner ! 1337;;FAIL
@mangle
-m owner --uid-owner root;-m owner --uid-owner 0;OK
-m owner --gid-owner root;-m owner --gid-owner 0;OK
-m owner --uid-owner 0-10;=;OK
-m owner --uid-owner 0:10;-m owner --uid-owner 0-10;OK
-m owner --uid-owner 5-5;-m owner --uid-owner 5;OK
-m owner --uid-owner 0x10;-m owner --uid-owner 16;OK
-m owner --gid-owner 0-10;=;OK
-m owner --uid-owner root --gid-owner root;-m owner --uid-owner 0 --gid-owner 0;OK
-m owner --gid-owner 0-10 --uid-owner 0-10;-m owner --uid-owner 0-10 --gid-owner 0-10;OK
-m owner ! --uid-owner root;-m owner ! --uid-owner 0;OK
-m owner --socket-exists;=;OK
-m owner ! --socket-exists;=;OK
-m owner --uid-owner 1337 --socket-exists;-m owner --socket-exists --uid-owner 1337;OK
-m owner --gid-owner 1337 --suppl-groups;=;OK
-m owner --gid-owner java;=;OK
-m owner ! --uid-owner istio-proxy;=;OK
-m owner --uid-owner 4294967294;=;OK
@filter/ipv6
-m owner --uid-owner 1337;=;OK
@mangle
-m owner;;FAIL
-m owner --uid-owner 4294967295;;FAIL
-m owner --uid-owner 12abc;;FAIL
-m owner --uid-owner 1-x;;FAIL
-m owner --uid-owner -1;;FAIL
-m owner --suppl-groups;;FAIL
-m owner --suppl-groups --gid-owner 1337;;FAIL
-m owner --gid-owner 1337 ! --suppl-groups;;FAIL
-m owner --uid-owner 1 --uid-owner 2;;FAIL
