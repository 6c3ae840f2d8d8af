"""The networks a key may be used from (ApiKey.allowed_networks)."""

import ipaddress

from django.core.exceptions import ValidationError

from api.network import IPAddress


def parse_networks(values: object) -> list[str]:
    """Validate addresses or CIDRs; return them as normalised network strings."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list | tuple):
        raise ValidationError("Allowed networks must be a list of addresses or CIDR ranges.")
    networks: list[str] = []
    for value in values:
        if not isinstance(value, str):
            raise ValidationError("Every allowed network must be a string.")
        try:
            network = ipaddress.ip_network(value.strip(), strict=False)
        except ValueError:
            raise ValidationError(
                f"{value!r} is not an IP address or CIDR range (e.g. 203.0.113.7 or 10.0.0.0/8)."
            ) from None
        if str(network) not in networks:
            networks.append(str(network))
    return networks


def address_allowed(address: IPAddress | None, networks: list[str]) -> bool:
    """No networks means no restriction."""
    if not networks:
        return True
    if address is None:
        return False
    return any(address in ipaddress.ip_network(network) for network in networks)
