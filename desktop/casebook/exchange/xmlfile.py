"""XML files in and out: written atomically (a temporary file beside the target, renamed), and
read from untrusted sources with the standard library's expat and no DTD at all.

A chart or graph file has no business declaring a document type: a ``<!DOCTYPE>`` is where
external entities (XXE: reading a local file into the document) and nested entity expansion
("billion laughs") live, so one is refused outright, as is any entity it would have declared.
Sizes are bounded before and while reading: the file, each attribute, the text, the number of
elements and their depth.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from casebook.core.errors import Refused


def write_xml(root: ET.Element, out: Path, *, prefix: str) -> str:
    """Write ``root`` as UTF-8 XML to ``out`` (a ``prefix``-named temporary file beside it,
    renamed over it when complete: a reader never sees half a file); its SHA-256."""
    tree = ET.ElementTree(root)
    ET.indent(tree)
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            tree.write(fh, encoding="utf-8", xml_declaration=True)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return hashlib.sha256(out.read_bytes()).hexdigest()


@dataclass(frozen=True)
class XmlLimits:
    file_bytes: int = 256 * 1024 * 1024
    attribute: int = 64 * 1024  # characters of one attribute value
    text: int = 16 * 1024 * 1024  # characters of text content in all
    elements: int = 2_000_000
    depth: int = 64


def read_untrusted_xml(path: Path, *, limits: XmlLimits = XmlLimits()) -> ET.Element:
    """The document element of the XML file at ``path``, or Refused naming the file (and the
    line and element where reading stopped): not well-formed, a DOCTYPE or entity declaration,
    or a limit passed."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise Refused(f"cannot read {name}: {exc.strerror or exc}") from None
    if size > limits.file_bytes:
        raise Refused(f"{name} is refused: {size:,} bytes, more than {limits.file_bytes:,}")
    parser = expat.ParserCreate()
    builder = ET.TreeBuilder()
    state = {"depth": 0, "elements": 0, "text": 0}

    def where() -> str:
        return f"{name}, line {parser.CurrentLineNumber}"

    def refuse_dtd(*_args) -> None:
        raise Refused(
            f"{where()}: a DOCTYPE is refused (document types can declare entities that read "
            "local files or expand without bound; a chart file has none)"
        )

    def refuse_entity(entity, *_args) -> None:
        raise Refused(f"{where()}: the entity declaration {str(entity)[:40]!r} is refused")

    def start(tag: str, attrs: dict) -> None:
        state["depth"] += 1
        state["elements"] += 1
        if state["depth"] > limits.depth:
            raise Refused(f"{where()}: <{tag[:40]}> is nested deeper than {limits.depth}")
        if state["elements"] > limits.elements:
            raise Refused(f"{name} is refused: more than {limits.elements:,} elements")
        for key, value in attrs.items():
            if len(value) > limits.attribute:
                raise Refused(
                    f"{where()}: <{tag[:40]}> attribute {key[:40]} is {len(value):,} "
                    f"characters long, more than {limits.attribute:,}"
                )
        builder.start(tag, attrs)

    def end(tag: str) -> None:
        state["depth"] -= 1
        builder.end(tag)

    def data(text: str) -> None:
        state["text"] += len(text)
        if state["text"] > limits.text:
            raise Refused(f"{name} is refused: more than {limits.text:,} characters of text")
        builder.data(text)

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = lambda *args: refuse_dtd()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        message = expat.errors.messages.get(exc.code, str(exc)) if exc.code else str(exc)
        raise Refused(
            f"{name} is not well-formed XML: {message} (line {exc.lineno}, column {exc.offset})"
        ) from None
    return builder.close()
