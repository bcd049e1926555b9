"""Every fix's id, once. Checks offer fixes by these constants (without importing the
fixes themselves) and the fixes register under them, so an offered fix always exists.
The ids are part of the report format and never change."""

FLUSH_DNS = "flush_dns"
OPEN_CAPTIVE_PORTAL = "open_captive_portal"
RESYNC_CLOCK = "resync_clock"
DISABLE_PROXY = "disable_proxy"
REPAIR_HOSTS = "repair_hosts"
CLEAR_CLIENT_CACHE = "clear_client_cache"
SET_MTU = "set_mtu"
RESET_WINSOCK = "reset_winsock"
SET_DNS_SERVERS = "set_dns_servers"
