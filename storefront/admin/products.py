"""Products and their sizes (owners): create, edit, publish, prices, images."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from storefront.admin.edit_conflicts import claim_for_save
from storefront.admin.forms import ActionForm, ImageForm, ProductForm, VariantForm, edit_form
from storefront.admin.money import format_decimal
from storefront.admin.paging import matching, numbered_page, text_filter
from storefront.admin.views import bp
from storefront.audit_log import record
from storefront.database import begin_write
from storefront.extensions import db
from storefront.models import Product, ProductImage, Variant
from storefront.slugs import slugify, unique_slug
from storefront.stock_alerts import check_low_stock

PER_PAGE = 50


def _product(product_id: int) -> Product:
    product = db.session.scalar(
        select(Product).where(Product.id == product_id)
        .options(selectinload(Product.variants), selectinload(Product.images))
    )
    if product is None:
        abort(404)
    return product


def _snapshot(product: Product) -> dict:
    return {"name": product.name, "slug": product.slug, "tagline": product.tagline,
            "description": product.description, "safety_note": product.safety_note,
            "active": product.active}


@bp.get("/products")
def products():
    """Products, published or not, with their sizes: by name, a page at a time, filterable."""
    query = select(Product).options(selectinload(Product.variants)).order_by(Product.name,
                                                                               Product.id)
    if q := text_filter():
        query = query.where(matching(q, Product.name, Product.slug))
    page = numbered_page(db.session, query, PER_PAGE)
    return render_template("admin/products.html", products=page.items, page=page, q=q)


@bp.route("/products/new", methods=["GET", "POST"])
def product_new():
    """A new product starts unpublished; its slug comes from the name unless one is given."""
    form = ProductForm()
    if form.validate_on_submit():
        begin_write(db.session)
        if form.slug.data and db.session.scalar(
                select(Product.id).where(Product.slug == form.slug.data)):
            db.session.rollback()
            form.slug.errors.append("Another product already has this slug.")
        else:
            slug = form.slug.data or unique_slug(db.session, Product, slugify(form.name.data))
            product = Product(name=form.name.data.strip(), slug=slug,
                              tagline=(form.tagline.data or "").strip(),
                              description=form.description.data or "",
                              safety_note=(form.safety_note.data or "").strip(), active=False)
            db.session.add(product)
            db.session.flush()
            record(db.session, "product.create", f"product:{product.id}", after=_snapshot(product))
            db.session.commit()
            flash(f"Product created as {slug} (not published yet). Add its sizes below.", "success")
            return redirect(url_for("admin.product_edit", product_id=product.id), code=303)
    return render_template("admin/product_form.html", form=form, product=None), (
        422 if request.method == "POST" else 200)


def _render_edit(product, form=None, variant_form=None, image_form=None, status=200,
                 conflict=None):
    return render_template(
        "admin/product_form.html", product=product,
        form=form or edit_form(ProductForm, product),
        variant_form=variant_form or VariantForm(formdata=None),
        image_form=image_form or ImageForm(formdata=None), action_form=ActionForm(),
        format_decimal=format_decimal, conflict=conflict,
    ), status


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
def product_edit(product_id: int):
    """Edit a product; its slug may change only while it is unpublished (links stay stable)."""
    product = _product(product_id)
    if request.method == "GET":
        return _render_edit(product)
    form = ProductForm()
    if not form.validate_on_submit():
        return _render_edit(product, form=form, status=422)
    new_slug = form.slug.data or product.slug
    if new_slug != product.slug:
        if product.active:
            form.slug.errors.append("A published product keeps its slug, so links to it keep "
                                    "working. Unpublish it first to change the slug.")
        elif db.session.scalar(select(Product.id).where(Product.slug == new_slug,
                                                        Product.id != product.id)):
            form.slug.errors.append("Another product already has this slug.")
        if form.slug.errors:
            return _render_edit(product, form=form, status=422)
    begin_write(db.session)
    product, conflict = claim_for_save(db.session, lambda: _product(product_id), form,
                                       lambda saved: edit_form(ProductForm, saved),
                                       f"product:{product_id}")
    if conflict:
        return _render_edit(product, form=form, status=409, conflict=conflict)
    before = _snapshot(product)
    product.name = form.name.data.strip()
    product.slug = new_slug
    product.tagline = (form.tagline.data or "").strip()
    product.description = form.description.data or ""
    product.safety_note = (form.safety_note.data or "").strip()
    record(db.session, "product.update", f"product:{product.id}", before=before,
           after=_snapshot(product))
    db.session.commit()
    flash("Product saved.", "success")
    return redirect(url_for("admin.product_edit", product_id=product.id), code=303)


@bp.post("/products/<int:product_id>/publish")
def product_publish(product_id: int):
    """Publish (``action=publish``) or unpublish (``action=unpublish``) a product."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    publish = request.form.get("action") != "unpublish"
    begin_write(db.session)
    product = _product(product_id)
    if publish and not product.variants:
        db.session.rollback()
        flash("Add at least one size before publishing.", "error")
        return redirect(url_for("admin.product_edit", product_id=product_id), code=303)
    before = {"active": product.active}
    product.active = publish
    record(db.session, "product.publish" if publish else "product.unpublish",
           f"product:{product.id}", before=before, after={"active": publish})
    db.session.commit()
    flash(f"{product.name} is {'published' if publish else 'no longer shown in the shop'}.",
          "success")
    return redirect(url_for("admin.product_edit", product_id=product_id), code=303)


def _variant_snapshot(v: Variant) -> dict:
    return {"sku": v.sku, "label": v.label, "price_cents": v.price_cents, "gtin": v.gtin,
            "low_stock_threshold": v.low_stock_threshold, "position": v.position}


def _sku_taken(sku: str, exclude_id: int | None = None) -> bool:
    return bool(db.session.scalar(
        select(Variant.id).where(func.lower(Variant.sku) == sku.lower(),
                                 Variant.id != (exclude_id or 0))))


@bp.post("/products/<int:product_id>/variants")
def variant_new(product_id: int):
    """Add a size. It starts with nothing on hand: stock arrives through the inventory page."""
    product = _product(product_id)
    form = VariantForm()
    valid = form.validate_on_submit()
    if valid and _sku_taken(form.sku.data):
        form.sku.errors.append("Another size already has this SKU.")
        valid = False
    if not valid:
        return _render_edit(product, variant_form=form, status=422)
    begin_write(db.session)
    product = _product(product_id)
    variant = Variant(sku=form.sku.data.strip(), label=form.label.data.strip(),
                      price_cents=form.price.cents, currency="usd", on_hand=0, reserved=0,
                      low_stock_threshold=form.low_stock_threshold.data,
                      position=form.position.data or len(product.variants))
    variant.currency = current_app.config["SHOP_CURRENCY"]
    product.variants.append(variant)
    db.session.flush()
    record(db.session, "variant.create", f"variant:{variant.id}", after=_variant_snapshot(variant))
    db.session.commit()
    flash(f"Size {variant.label} added with 0 in stock; restock it on the inventory page.",
          "success")
    return redirect(url_for("admin.product_edit", product_id=product_id), code=303)


def _variant_form(variant: Variant) -> VariantForm:
    return edit_form(VariantForm, variant, price=format_decimal(variant.price_cents))


@bp.route("/variants/<int:variant_id>", methods=["GET", "POST"])
def variant_edit(variant_id: int):
    """Change a size's SKU, label, price or low-stock threshold (never its stock)."""
    variant = db.get_or_404(Variant, variant_id)
    if request.method == "GET":
        return render_template("admin/variant_form.html", form=_variant_form(variant),
                               variant=variant)
    form = VariantForm()
    valid = form.validate_on_submit()
    if valid and _sku_taken(form.sku.data, variant.id):
        form.sku.errors.append("Another size already has this SKU.")
        valid = False
    if not valid:
        return render_template("admin/variant_form.html", form=form, variant=variant), 422
    begin_write(db.session)
    variant, conflict = claim_for_save(db.session, lambda: db.session.get(Variant, variant_id),
                                       form, _variant_form, f"variant:{variant_id}")
    if conflict:
        return render_template("admin/variant_form.html", form=form, variant=variant,
                               conflict=conflict), 409
    before = _variant_snapshot(variant)
    variant.sku = form.sku.data.strip()
    variant.label = form.label.data.strip()
    variant.price_cents = form.price.cents
    variant.low_stock_threshold = form.low_stock_threshold.data
    variant.gtin = form.gtin.data or None
    if form.position.data is not None:
        variant.position = form.position.data
    # A new threshold may put the size at or below it (or back above) right now.
    check_low_stock(db.session, [variant.id])
    record(db.session, "variant.update", f"variant:{variant.id}", before=before,
           after=_variant_snapshot(variant))
    db.session.commit()
    flash("Size saved.", "success")
    return redirect(url_for("admin.product_edit", product_id=variant.product_id), code=303)


@bp.post("/products/<int:product_id>/images")
def image_upload(product_id: int):
    """Upload a JPEG, PNG or WebP (up to 5 MB); it is checked and re-encoded as WebP."""
    from storefront.images import ImageRejected, store_product_image

    product = _product(product_id)
    form = ImageForm()
    upload = form.image.data
    valid = form.validate_on_submit()
    if valid and not (upload and getattr(upload, "filename", "")):
        form.image.errors.append("Choose an image file.")
        valid = False
    if not valid:
        return _render_edit(product, image_form=form, status=422)
    begin_write(db.session)
    product = _product(product_id)
    try:
        image = store_product_image(db.session, product, upload, form.alt.data.strip())
        db.session.flush()
    except ImageRejected as exc:
        db.session.rollback()
        form.image.errors.append(str(exc))
        return _render_edit(_product(product_id), image_form=form, status=422)
    record(db.session, "image.upload", f"product:{product.id}",
           after={"key": image.key, "alt": image.alt, "widths": image.widths})
    db.session.commit()
    flash("Image added.", "success")
    return redirect(url_for("admin.product_edit", product_id=product_id), code=303)


@bp.post("/images/<int:image_id>/delete")
def image_delete(image_id: int):
    """Remove an image from its product (the files stay, so cached pages do not break)."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    begin_write(db.session)
    image = db.get_or_404(ProductImage, image_id)
    product_id = image.product_id
    record(db.session, "image.delete", f"product:{product_id}",
           before={"key": image.key, "alt": image.alt})
    db.session.delete(image)
    db.session.commit()
    flash("Image removed.", "success")
    return redirect(url_for("admin.product_edit", product_id=product_id), code=303)
