"""Inventory: every size with its counts, adjustments with a reason, history, CSV in and out."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import Select, case, select
from sqlalchemy.orm import contains_eager, selectinload

from storefront.admin.forms import ADJUST_REASONS, AdjustStockForm, ImportForm
from storefront.admin.keyset import keyset_page
from storefront.admin.paging import matching, numbered_page, text_filter
from storefront.admin.views import bp
from storefront.audit_log import record
from storefront.database import begin_write
from storefront.extensions import db
from storefront.inventory import StockConflict, StockError, adjust_stock
from storefront.models import Product, StockMovement, Variant
from storefront.stock_alerts import check_low_stock
from storefront.stock_import import (
    IMPORT_REASONS,
    apply_import,
    csv_cell,
    plan_import,
)

SORTS = {"sku", "product", "available", "status"}
STATUSES = {"ok", "low", "out"}
HISTORY_PER_PAGE = 50
PER_PAGE = 50
MAX_IMPORT_BYTES = 1024 * 1024


def _available():
    return Variant.on_hand - Variant.reserved


def _status_rank():
    """0 out, 1 low, 2 ok: the order in which stock needs attention."""
    return case(
        (_available() <= 0, 0),
        (_available() <= Variant.low_stock_threshold, 1),
        else_=2,
    )


def _list_args() -> dict[str, str]:
    """The list's sort, filter and search, kept across a form post and its redirect."""
    args = {}
    if request.args.get("sort") in SORTS:
        args["sort"] = request.args["sort"]
    if request.args.get("status") in STATUSES:
        args["status"] = request.args["status"]
    if q := text_filter():
        args["q"] = q
    if request.args.get("page", "").isdigit() and request.args["page"] != "1":
        args["page"] = request.args["page"][:7]
    return args


def _variants(args: dict[str, str]) -> Select:
    """The sizes the list's filter and search keep, in its sort order."""
    query = select(Variant).join(Variant.product).options(contains_eager(Variant.product))
    status = args.get("status")
    if status == "out":
        query = query.where(_available() <= 0)
    elif status == "low":
        query = query.where(_available() > 0, _available() <= Variant.low_stock_threshold)
    elif status == "ok":
        query = query.where(_available() > Variant.low_stock_threshold)
    if q := args.get("q"):
        query = query.where(matching(q, Variant.sku, Product.name, Variant.label))
    order = {
        "sku": [Variant.sku],
        "product": [Product.name, Variant.position, Variant.id],
        "available": [_available(), Variant.sku],
        "status": [_status_rank(), _available(), Variant.sku],
    }[args.get("sort", "product")]
    return query.order_by(*order, Variant.id)


def _render_inventory(errors=None, values=None, status=200):
    args = _list_args()
    page = numbered_page(db.session, _variants(args), PER_PAGE)
    return render_template(
        "admin/inventory.html", variants=page.items, page=page, args=args,
        errors=errors or {}, values=values or {}, reasons=ADJUST_REASONS,
    ), status


@bp.get("/inventory")
def inventory():
    """Every size with on hand, reserved, available and a status; sortable and filterable."""
    return _render_inventory()


@bp.post("/inventory/<int:variant_id>/adjust")
def inventory_adjust(variant_id: int):
    """Add to, take from or set one size's count, with a reason; refused on a stale figure."""
    variant = db.get_or_404(Variant, variant_id)
    form = AdjustStockForm()
    kept = {
        "mode": form.mode.data, "amount": form.amount.data or "", "reason": form.reason.data,
        "note": form.note.data or "",
        "expected_on_hand": request.form.get("expected_on_hand", ""),
    }
    if not form.validate_on_submit():
        field_errors = {name: list(field.errors) for name, field in form._fields.items()
                        if field.errors}
        if "expected_on_hand" in field_errors:
            field_errors.setdefault("amount", []).append(
                "The form was missing the count you saw; reload the page and try again.")
        return _render_inventory({variant_id: field_errors}, {variant_id: kept}, 422)

    amount = form.amount.number
    change = {"delta": amount} if form.mode.data == "delta" else {"new_count": amount}
    begin_write(db.session)
    try:
        movement = adjust_stock(
            db.session, variant_id, reason=form.reason.data,
            expected_on_hand=form.expected_on_hand.data, note=(form.note.data or "").strip(),
            admin_user_id=current_user.id, **change,
        )
        check_low_stock(db.session, [variant_id])
        before = movement.on_hand_after - movement.delta
        record(db.session, "stock.adjust", f"variant:{variant_id}",
               before={"on_hand": before},
               after={"on_hand": movement.on_hand_after, "delta": movement.delta,
                      "reason": movement.reason, "note": movement.note})
        db.session.commit()
    except StockConflict as exc:
        db.session.rollback()
        kept["expected_on_hand"] = str(exc.current)  # retrying now starts from the new figure
        return _render_inventory({variant_id: {"amount": [str(exc)]}}, {variant_id: kept}, 409)
    except StockError as exc:
        db.session.rollback()
        return _render_inventory({variant_id: {"amount": [str(exc)]}}, {variant_id: kept}, 422)

    variant = db.session.get(Variant, variant_id)
    flash(f"{variant.sku}: on hand {before} → {movement.on_hand_after} "
          f"({movement.delta:+d}, {movement.reason}).", "success")
    return redirect(url_for("admin.inventory", **_list_args()), code=303)


@bp.get("/inventory/<int:variant_id>/history")
def inventory_history(variant_id: int):
    """The ledger of one size, newest first, with the order or the admin behind each row."""
    variant = db.get_or_404(Variant, variant_id)
    page = keyset_page(
        db.session,
        select(StockMovement)
        .options(selectinload(StockMovement.admin_user), selectinload(StockMovement.order))
        .where(StockMovement.variant_id == variant_id),
        (StockMovement.created_at, StockMovement.id), HISTORY_PER_PAGE)
    return render_template("admin/inventory_history.html", variant=variant,
                           movements=page.items, page=page)


@bp.get("/inventory.csv")
def inventory_csv():
    """Every size's counts as CSV; cells that a spreadsheet would run as formulas are quoted."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sku", "product", "size", "on_hand", "reserved", "available",
                     "low_stock_threshold", "status"])
    for v in db.session.scalars(_variants({"sort": "sku"})):
        writer.writerow([csv_cell(x) for x in (
            v.sku, v.product.name, v.label, v.on_hand, v.reserved, v.available,
            v.low_stock_threshold, v.stock_status)])
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="inventory-{stamp}.csv"',
        "Cache-Control": "no-store",
    })


def _import_text(form: ImportForm) -> tuple[str | None, str | None]:
    """The CSV text from the upload or the text box, or an error to show."""
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        data = upload.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            return None, "The file is larger than 1 MB."
        try:
            return data.decode("utf-8-sig"), None
        except UnicodeDecodeError:
            return None, "The file is not UTF-8 text. Save it as CSV (UTF-8)."
    if (form.csv_text.data or "").strip():
        return form.csv_text.data, None
    return None, "Choose a CSV file or paste its contents."


@bp.route("/inventory/import", methods=["GET", "POST"])
def inventory_import():
    """Dry run first (every change and every bad row), then apply all rows or none."""
    form = ImportForm()
    context = {"form": form, "reasons": IMPORT_REASONS, "plan": None, "text": "",
               "digest": "", "error": None}
    if request.method == "GET":
        return render_template("admin/inventory_import.html", **context)
    if not form.validate_on_submit():
        context["error"] = "; ".join(e for errs in form.errors.values() for e in errs)
        return render_template("admin/inventory_import.html", **context), 400
    text, error = _import_text(form)
    if text is None:
        context["error"] = error
        return render_template("admin/inventory_import.html", **context), 422
    context["text"] = text
    applying = request.form.get("action") == "apply"
    if applying:
        begin_write(db.session)
    plan = plan_import(db.session, text)
    context.update(plan=plan, digest=plan.digest(text))
    if not applying or not plan.ok:
        db.session.rollback()
        return render_template("admin/inventory_import.html", **context), (
            200 if plan.ok else 422)
    if form.digest.data != context["digest"]:
        db.session.rollback()
        context["error"] = ("Stock changed since the dry run. Here is the dry run again "
                            "against the current figures; check it and apply again.")
        return render_template("admin/inventory_import.html", **context), 409
    try:
        movements = apply_import(db.session, plan, current_user.id)
        check_low_stock(db.session, [m.variant_id for m in movements])
        record(db.session, "stock.import", "inventory", after={
            "rows": [{"sku": r.sku, "before": r.before, "after": r.after, "reason": r.reason}
                     for r in plan.rows if r.changes]})
        db.session.commit()
    except StockError as exc:
        db.session.rollback()
        context["error"] = f"Nothing was changed: {exc}"
        return render_template("admin/inventory_import.html", **context), 409
    flash(f"Import applied: {len(movements)} change(s) written to the ledger.", "success")
    return redirect(url_for("admin.inventory"), code=303)
