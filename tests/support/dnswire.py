"""The bits of the DNS wire format (RFC 1035) that dns_script.py and
dns_query.py share: names, questions, resource records. Standard library
only."""

import socket
import struct

TYPES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX",
         16: "TXT", 28: "AAAA", 33: "SRV", 41: "OPT", 255: "ANY"}
TYPE_NUMBERS = {v: k for k, v in TYPES.items()}
CLASS_IN = 1


class FormatError(Exception):
    """A message that cannot be parsed."""


def type_name(qtype):
    return TYPES.get(qtype, "TYPE%d" % qtype)


def type_number(name):
    name = name.upper()
    if name in TYPE_NUMBERS:
        return TYPE_NUMBERS[name]
    if name.startswith("TYPE") and name[4:].isdigit():
        return int(name[4:])
    raise ValueError("unknown record type %r" % name)


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            raw = label.encode("ascii")
            if len(raw) > 63:
                raise ValueError("label too long: %r" % label)
            out += bytes([len(raw)]) + raw
    return out + b"\0"


def decode_name(msg, offset):
    """Returns (name, offset after the name), following compression
    pointers."""
    labels = []
    end = None
    jumps = 0
    while True:
        if offset >= len(msg):
            raise FormatError("name runs past the message")
        length = msg[offset]
        if length & 0xC0 == 0xC0:
            if offset + 1 >= len(msg):
                raise FormatError("truncated compression pointer")
            if end is None:
                end = offset + 2
            jumps += 1
            if jumps > 64:
                raise FormatError("compression pointer loop")
            offset = ((length & 0x3F) << 8) | msg[offset + 1]
        elif length & 0xC0:
            raise FormatError("bad label type")
        elif length == 0:
            if end is None:
                end = offset + 1
            return ".".join(labels), end
        else:
            label = msg[offset + 1:offset + 1 + length]
            if len(label) != length:
                raise FormatError("label runs past the message")
            labels.append(label.decode("ascii", "replace"))
            offset += 1 + length


def parse_header(msg):
    if len(msg) < 12:
        raise FormatError("message shorter than a header")
    return struct.unpack("!6H", msg[:12])


def parse_questions(msg):
    """Returns (header, [(name, qtype, qclass, raw question bytes)], offset
    after the questions). The raw bytes keep the name as sent (its case,
    uncompressed) for echoing it in a reply."""
    header = parse_header(msg)
    offset = 12
    questions = []
    for _ in range(header[2]):
        start = offset
        name, offset = decode_name(msg, offset)
        if offset + 4 > len(msg):
            raise FormatError("truncated question")
        qtype, qclass = struct.unpack("!HH", msg[offset:offset + 4])
        offset += 4
        if msg[start] & 0xC0 == 0xC0:
            raw = encode_name(name) + msg[offset - 4:offset]
        else:
            raw = msg[start:offset]
        questions.append((name, qtype, qclass, raw))
    return header, questions, offset


def rdata_text(rtype, msg, offset, length):
    rdata = msg[offset:offset + length]
    if rtype == 1 and length == 4:
        return socket.inet_ntop(socket.AF_INET, rdata)
    if rtype == 28 and length == 16:
        return socket.inet_ntop(socket.AF_INET6, rdata)
    if rtype in (2, 5, 12):
        return decode_name(msg, offset)[0]
    if rtype == 6:
        mname, o = decode_name(msg, offset)
        rname, o = decode_name(msg, o)
        serial, refresh, retry, expire, minimum = struct.unpack(
            "!5I", msg[o:o + 20])
        return "%s %s %d %d %d %d %d" % (mname, rname, serial, refresh,
                                         retry, expire, minimum)
    return rdata.hex()


def parse_records(msg, offset, count):
    """Returns ([(name, type, class, ttl, text)], offset after them)."""
    records = []
    for _ in range(count):
        name, offset = decode_name(msg, offset)
        if offset + 10 > len(msg):
            raise FormatError("truncated record")
        rtype, rclass, ttl, length = struct.unpack(
            "!HHIH", msg[offset:offset + 10])
        offset += 10
        if offset + length > len(msg):
            raise FormatError("record data runs past the message")
        records.append((name, rtype, rclass, ttl,
                        rdata_text(rtype, msg, offset, length)))
        offset += length
    return records, offset


def record(name_bytes, rtype, ttl, rdata):
    """One resource record of class IN; name_bytes is an encoded name or a
    compression pointer."""
    return (name_bytes + struct.pack("!HHIH", rtype, CLASS_IN, ttl, len(rdata))
            + rdata)
