"""`kiosk services …`: what an operator or a service author does with service definitions."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.config import KioskConfig, installed
from kiosk.forms.answers import example_answers, to_data
from kiosk.forms.service import Service, ServiceError, load_catalogue, load_service, parse_service, service_file
from kiosk.forms.validation import message, validate as check
from kiosk.i18n import LANGUAGES, ts


def list_services(config: KioskConfig, as_json: bool) -> int:
    catalogue = load_catalogue(installed(config.services.directory), config.services.offered)
    if as_json:
        rows = [_summary(s) for s in catalogue.services]
        print(json.dumps(rows + [{"broken": b} for b in catalogue.broken], ensure_ascii=False, indent=2))
    else:
        for service in catalogue.services:
            steps = ", ".join(s.id if s.kind == "form" else f"{s.id} ({s.kind})" for s in service.steps)
            print(f"{service.id:<20} {service.title}  [{steps}]")
        for problem in catalogue.broken:
            print(f"LEFT OUT: {problem}", file=sys.stderr)
    return 1 if catalogue.broken else 0


def _summary(service: Service) -> dict[str, Any]:
    fee = service.needs.fee
    return {"id": service.id, "title": service.title, "summary": service.summary, "office": service.office,
            "reference_prefix": service.reference_prefix, "fim": service.fim,
            "needs": {"identification": service.needs.identification, "photo": service.needs.photo,
                      "fee_eur": fee.amount_eur if fee else None},
            "steps": [{"id": s.id, "kind": s.kind} for s in service.steps],
            "titles": {lang: ts(lang, service.id, service.title) for lang in LANGUAGES}}


def _service(config: KioskConfig, service_id: str) -> Service | None:
    try:
        return load_service(service_file(installed(config.services.directory), service_id))
    except ServiceError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return None


def example(config: KioskConfig, service_id: str) -> int:
    service = _service(config, service_id)
    if service is None:
        return 2
    data = to_data(service, example_answers(service, dt.date.today()))
    print(json.dumps(data, ensure_ascii=False, indent=2))
    return 0


def validate(config: KioskConfig, service_id: str, path: Path, lang: str, as_json: bool) -> int:
    if lang not in LANGUAGES:
        print(f"kiosk: unknown language '{lang}'; one of {', '.join(LANGUAGES)}", file=sys.stderr)
        return 2
    service = _service(config, service_id)
    if service is None:
        return 2
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        print(f"kiosk: {path}: not readable JSON ({exc})", file=sys.stderr)
        return 2
    if not isinstance(data, dict):
        problems = [{"field": "(data)", "message": "The data must be a JSON object."}]
    else:
        problems = [{"field": p.field, "message": message(lang, service, p)}
                    for p in check(service, data, dt.date.today())]
    if as_json:
        print(json.dumps({"valid": not problems, "errors": problems}, ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            print(f"{problem['field']}: {problem['message']}")
        print(f"{path}: {'valid' if not problems else f'{len(problems)} problem(s)'}")
    return 0 if not problems else 1


def import_xdf(args: argparse.Namespace) -> int:
    from kiosk.forms.xdf import XdfError, import_xdf as read_xdf, to_yaml

    notes: list[str] = []
    try:
        definition = read_xdf(args.file, service_id=args.service_id, reference_prefix=args.prefix,
                              codelists=args.codelist, notes=notes)
        parse_service(definition, str(args.file))  # what the terminal will load must load
    except (XdfError, ServiceError) as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1
    text = to_yaml(definition, comment="\n".join([f"Imported from {args.file.name}."] + notes))
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"{args.output}: written ({len(definition['steps'])} pages)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    return 0
