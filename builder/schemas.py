"""Validation against the official SCORM and IMS Common Cartridge XSDs (builder/xsd/).

libxml2 needs three workarounds (see the schemas' README): one driver schema importing
each namespace, the XML namespace schema mapped to W3C's local file, and SCORM 1.2's
LOM schema left out (its content model is non-deterministic for libxml2), so inline
SCORM 1.2 metadata is validated laxly.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

XSD = Path(__file__).parent / "xsd"
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"

# schema set -> namespace -> XSD file (relative to builder/xsd/)
SCHEMA_SETS: dict[str, dict[str, str]] = {
    "scorm12": {
        "http://www.imsproject.org/xsd/imscp_rootv1p1p2": "scorm12/imscp_rootv1p1p2.xsd",
        "http://www.adlnet.org/xsd/adlcp_rootv1p2": "scorm12/adlcp_rootv1p2.xsd",
    },
    "scorm2004": {
        "http://www.imsglobal.org/xsd/imscp_v1p1": "scorm2004-4th/imscp_v1p1.xsd",
        "http://www.adlnet.org/xsd/adlcp_v1p3": "scorm2004-4th/adlcp_v1p3.xsd",
        "http://www.adlnet.org/xsd/adlseq_v1p3": "scorm2004-4th/adlseq_v1p3.xsd",
        "http://www.adlnet.org/xsd/adlnav_v1p3": "scorm2004-4th/adlnav_v1p3.xsd",
        "http://www.imsglobal.org/xsd/imsss": "scorm2004-4th/imsss_v1p0.xsd",
    },
    "imscc11": {
        "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1": "imscc11/ccv1p1_imscp_v1p2_v1p0.xsd",
        "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest": "imscc11/ccv1p1_lommanifest_v1p0.xsd",
        "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/resource": "imscc11/ccv1p1_lomresource_v1p0.xsd",
        "http://www.imsglobal.org/xsd/imsccv1p1/imsccauth_v1p1": "imscc11/ccv1p1_imsccauth_v1p1.xsd",
    },
    "imscc11-discussion": {
        "http://www.imsglobal.org/xsd/imsccv1p1/imsdt_v1p1": "imscc11/ccv1p1_imsdt_v1p1.xsd",
    },
    "imscc11-weblink": {
        "http://www.imsglobal.org/xsd/imsccv1p1/imswl_v1p1": "imscc11/ccv1p1_imswl_v1p1.xsd",
    },
    "imscc11-qti": {
        "http://www.imsglobal.org/xsd/ims_qtiasiv1p2": "imscc11/ccv1p1_qtiasiv1p2p1_v1p0.xsd",
    },
}

# The root namespace of a document tells which schema set applies.
SET_BY_ROOT_NAMESPACE = {
    next(iter(namespaces)): name for name, namespaces in SCHEMA_SETS.items()
}


class _LocalResolver(etree.Resolver):
    """Serves schema imports from builder/xsd/; nothing is fetched from the network."""

    def resolve(self, url, public_id, context):
        name = url.rsplit("/", 1)[-1]
        if name in ("xml.xsd", "ims_xml.xsd"):
            return self.resolve_filename(str(XSD / "scorm2004-4th" / "xml.xsd"), context)
        return None


@cache
def schema(set_name: str) -> etree.XMLSchema:
    imports = "".join(
        f'<xs:import namespace="{namespace}" schemaLocation="{(XSD / path).as_uri()}"/>'
        for namespace, path in SCHEMA_SETS[set_name].items()
    )
    driver = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        f'<xs:import namespace="{XML_NAMESPACE}" schemaLocation="xml.xsd"/>{imports}</xs:schema>'
    )
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalResolver())
    document = etree.fromstring(driver.encode(), parser, base_url=(XSD / "driver.xsd").as_uri())
    return etree.XMLSchema(etree.ElementTree(document))


def schema_set_for(document: etree._Element) -> str | None:
    return SET_BY_ROOT_NAMESPACE.get(etree.QName(document).namespace)


def validate(document: etree._Element, set_name: str | None = None) -> list[str]:
    """Schema errors as `line N: message`; empty when valid."""
    set_name = set_name or schema_set_for(document)
    if set_name is None:
        namespace = etree.QName(document).namespace
        return [f"line {document.sourceline}: no known schema for namespace '{namespace}'"]
    checker = schema(set_name)
    if checker.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in checker.error_log]


def parse_xml(data: bytes) -> etree._Element:
    """Parse untrusted XML: no network, no external entities, no DTD loading."""
    parser = etree.XMLParser(
        no_network=True, resolve_entities=False, load_dtd=False, huge_tree=False
    )
    return etree.fromstring(data, parser)
