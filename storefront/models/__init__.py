"""Typed SQLAlchemy 2 models, one module per part of the shop, re-exported here."""

from storefront.models.admin import AdminSettings, AdminUser, AuditLog, RecoveryCode, Role
from storefront.models.base import Base, utcnow
from storefront.models.catalog import (
    Product,
    ProductImage,
    StockMovement,
    StockReason,
    Variant,
)
from storefront.models.content import (
    Author,
    Page,
    Post,
    PostCorrection,
    PostReference,
    Tag,
    post_product,
    post_tag,
)
from storefront.models.content_version import ContentVersion
from storefront.models.orders import (
    Order,
    OrderEvent,
    OrderLine,
    OrderRefund,
    OrderStatus,
    RefundStatus,
    StripeEvent,
)
from storefront.models.outbox import OutboxMessage, OutboxStatus

__all__ = [
    "AdminUser", "AuditLog", "Base", "Order", "OrderEvent", "OrderLine", "OrderRefund",
    "OrderStatus", "RefundStatus",
    "Post", "PostReference", "Product", "ProductImage", "Role", "StockMovement",
    "StockReason", "StripeEvent", "Tag", "Variant", "post_product", "post_tag", "utcnow",
]
__all__ += ["ContentVersion"]
__all__ += ["AdminSettings", "RecoveryCode"]
__all__ += ["Author", "Page", "PostCorrection"]
__all__ += ["OutboxMessage", "OutboxStatus"]
from storefront.models.contact import ContactMessage  # noqa: E402

__all__ += ["ContactMessage"]
from storefront.models.funnel import ArticleDay  # noqa: E402

__all__ += ["ArticleDay"]
