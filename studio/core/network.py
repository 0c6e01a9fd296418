"""Whether a host is on the public internet: the one check before the server calls an address a user typed."""

import ipaddress
import socket


def internal_reason(ip):
    """Why `ip` is not a public internet address (loopback, a private network …), or None when it is one."""
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for attribute, reason in (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_private", "a private network"),
        ("is_reserved", "reserved"),
    ):
        if getattr(ip, attribute):
            return reason
    if not ip.is_global:
        return "not a public internet address"
    return None


def resolve(host, port):
    """Every address `host` resolves to, in order, without repeats; socket.gaierror or UnicodeError when none."""
    addresses = []
    for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses
