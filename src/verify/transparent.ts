/**
 * Transparent listening sockets, for TPROXY.
 *
 * A TPROXY target only hands a connection to a socket with IP_TRANSPARENT (IPV6_TRANSPARENT)
 * set, and Node has no setsockopt. So a transparent listener is made by a few lines of Perl
 * (perl-base is Essential on Debian, so it is on every machine that has iptables): create the
 * socket with the listener's uid/gid as effective identity (the kernel's owner match reads the
 * socket's creator), return to root to set the privileged option, bind, listen, keep the fd
 * open across exec, and exec the stand-in, which adopts the fd (argv[3]) and drops to uid/gid.
 * The pid stays the same through the exec, so the harness tracks it like any other stand-in.
 */

/** argv after `perl -e SCRIPT`: family address port uid gid command… (the fd number is appended). */
export const TRANSPARENT_LISTENER_PL = String.raw`
use strict;
use warnings;
use Socket qw(AF_INET AF_INET6 SOCK_STREAM SOL_SOCKET SO_REUSEADDR IPPROTO_IP IPPROTO_IPV6 inet_pton pack_sockaddr_in pack_sockaddr_in6);
use Fcntl qw(F_GETFD F_SETFD FD_CLOEXEC);
my ($family, $addr, $port, $uid, $gid, @cmd) = @ARGV;
my $v6 = $family eq 'ipv6';
$) = "$gid $gid";
$> = $uid;
socket(my $s, $v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
$> = 0;
$) = "0 0";
setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1) or die "SO_REUSEADDR: $!\n";
if ($v6) {
  setsockopt($s, IPPROTO_IPV6, 26, 1) or die "IPV6_V6ONLY: $!\n";
  setsockopt($s, IPPROTO_IPV6, 75, 1) or die "IPV6_TRANSPARENT: $!\n";
} else {
  setsockopt($s, IPPROTO_IP, 19, 1) or die "IP_TRANSPARENT: $!\n";
}
my $sa = $v6 ? pack_sockaddr_in6($port, inet_pton(AF_INET6, $addr)) : pack_sockaddr_in($port, inet_pton(AF_INET, $addr));
bind($s, $sa) or die "bind $addr port $port: $!\n";
listen($s, 128) or die "listen: $!\n";
my $flags = fcntl($s, F_GETFD, 0) or die "F_GETFD: $!\n";
fcntl($s, F_SETFD, $flags & ~FD_CLOEXEC) or die "F_SETFD: $!\n";
exec { $cmd[0] } @cmd, fileno($s) or die "exec $cmd[0]: $!\n";
`;
