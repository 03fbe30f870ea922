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

/**
 * Connections that need what Node cannot set: IP_TRANSPARENT (IPV6_TRANSPARENT), to bind a
 * source address that is not local (Envoy's TPROXY `original_src` upstream keeps the client's
 * address), and SO_MARK (the same upstream carries mark 1337, which the policy routing and the
 * mangle rules key on). The socket is created with uid/gid as effective identity (the owner
 * match reads the creator's credentials), root sets the privileged options and binds, then the
 * process drops to uid/gid for good and connects: a TCP handshake with a time-out, or one UDP
 * datagram. It reports in the stand-in protocol (standin-protocol.ts: started, connected,
 * connect-failed, error), one JSON object per line, and exits. It is exec'd by
 * `ip netns exec`, so the pid the harness holds is this process's.
 *
 * If `avoid` is a port number, a bound source port equal to it is not used: for an
 * original_src connection that is the client's own port, and the same 5-tuple as the
 * client's connection would collide with it in conntrack.
 */

/** argv after `perl -e SCRIPT`: proto family src|"" sport|"" dst dport uid gid transparent(0|1) mark|"" timeoutMs avoid|"". */
export const TRANSPARENT_CONNECT_PL = String.raw`
use strict;
use warnings;
use Socket qw(AF_INET AF_INET6 SOCK_STREAM SOCK_DGRAM SOL_SOCKET SO_ERROR IPPROTO_IP IPPROTO_IPV6 inet_pton inet_ntop pack_sockaddr_in pack_sockaddr_in6 unpack_sockaddr_in unpack_sockaddr_in6 sockaddr_family);
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);
use Errno qw(EINPROGRESS);
use POSIX ();
$| = 1;
my ($proto, $family, $src, $sport, $dst, $dport, $uid, $gid, $transparent, $mark, $timeout_ms, $avoid) = @ARGV;
my $v6 = $family eq 'ipv6';
my $tcp = $proto eq 'tcp';
my $af = $v6 ? AF_INET6 : AF_INET;
sub esc { my $t = shift; $t =~ s/(["\\])/\\$1/g; $t =~ s/[\x00-\x1f]/ /g; return $t; }
sub emit { print $_[0], "\n"; }
sub fail { emit('{"type":"error","message":"' . esc($_[0]) . '"}'); exit 1; }
sub errname { my $n = shift; local $! = $n; for my $k (sort keys %!) { return $k if $!{$k}; } return 'ERROR'; }
sub failed { my ($n, $text) = @_; emit('{"type":"connect-failed","proto":"' . $proto . '","code":"' . errname($n) . '","message":"' . esc($text) . '"}'); exit 0; }
sub sa { my ($a, $p) = @_; my $n = inet_pton($af, $a) or fail("bad address $a"); return $v6 ? pack_sockaddr_in6($p, $n) : pack_sockaddr_in($p, $n); }
sub ep {
  my $packed = shift;
  my ($p, $n) = sockaddr_family($packed) == AF_INET6 ? (unpack_sockaddr_in6($packed))[0, 1] : unpack_sockaddr_in($packed);
  return '{"address":"' . inet_ntop(sockaddr_family($packed), $n) . '","port":' . $p . '}';
}
sub make {
  $) = "$gid $gid";
  $> = $uid;
  fail("cannot take uid $uid gid $gid to create the socket") unless $> == $uid && (split ' ', $))[0] == $gid;
  socket(my $s, $af, $tcp ? SOCK_STREAM : SOCK_DGRAM, 0) or fail("socket: $!");
  $> = 0;
  $) = "0 0";
  if ($transparent) {
    if ($v6) { setsockopt($s, IPPROTO_IPV6, 75, pack('i', 1)) or fail("IPV6_TRANSPARENT: $!"); }
    else { setsockopt($s, IPPROTO_IP, 19, pack('i', 1)) or fail("IP_TRANSPARENT: $!"); }
  }
  if ($mark ne '') { setsockopt($s, SOL_SOCKET, 36, pack('L', $mark)) or fail("SO_MARK $mark: $!"); }
  return $s;
}
my $s = make();
my @held;
if ($sport ne '') {
  bind($s, sa($src ne '' ? $src : ($v6 ? '::' : '0.0.0.0'), $sport)) or fail("bind $src port $sport: $!");
} elsif ($src ne '') {
  for (my $try = 0; ; $try++) {
    bind($s, sa($src, 0)) or fail("bind $src: $!");
    my ($port) = sockaddr_family(getsockname($s)) == AF_INET6 ? unpack_sockaddr_in6(getsockname($s)) : unpack_sockaddr_in(getsockname($s));
    last if $avoid eq '' || $port != $avoid;
    fail("bind $src: port $avoid again after $try tries") if $try >= 8;
    push @held, $s;
    $s = make();
  }
}
close($_) for @held;
$) = "$gid $gid";
POSIX::setgid($gid) or fail("setgid $gid: $!");
POSIX::setuid($uid) or fail("setuid $uid: $!");
fail("still privileged") if $uid != 0 && ($> == 0 || $< == 0);
emit('{"type":"started","pid":' . $$ . ',"uid":' . $< . ',"gid":' . (split ' ', $()[0] . '}');
my $to = sa($dst, $dport);
if ($tcp) {
  my $flags = fcntl($s, F_GETFL, 0) or fail("F_GETFL: $!");
  fcntl($s, F_SETFL, $flags | O_NONBLOCK) or fail("F_SETFL: $!");
  if (!connect($s, $to)) {
    failed($! + 0, "connect: $!") unless $! == EINPROGRESS;
    my $w = '';
    vec($w, fileno($s), 1) = 1;
    my $n = select(undef, $w, undef, $timeout_ms / 1000);
    failed(POSIX::ETIMEDOUT(), "connect timed out after $timeout_ms ms") if $n == 0;
    my $err = unpack('i', getsockopt($s, SOL_SOCKET, SO_ERROR));
    if ($err) { local $! = $err; failed($err, "connect: $!"); }
  }
  emit('{"type":"connected","proto":"tcp","local":' . ep(getsockname($s)) . ',"remote":' . ep(getpeername($s)) . '}');
} else {
  connect($s, $to) or failed($! + 0, "connect: $!");
  defined(send($s, 'sidecar-trace', 0)) or failed($! + 0, "send: $!");
  emit('{"type":"connected","proto":"udp","local":' . ep(getsockname($s)) . ',"remote":' . ep($to) . '}');
}
close($s);
exit 0;
`;
