"""The largest numbers the shop accepts, so every figure fits where it is stored and charged.

Whole numbers live in INTEGER columns: 32 bits on PostgreSQL, 64 on SQLite. A value or a sum
past that is an overflow error from the database (a 500 on one engine, a silent success on
the other), so forms refuse it and the rules that add numbers up check the result first.
"""

from __future__ import annotations

INT32_MAX = 2**31 - 1  # PostgreSQL INTEGER, the narrower of the two databases

# Stripe refuses a charge of more than eight digits (999,999.99 in USD), so no price and no
# order total may be larger; both fit an INTEGER column with room to spare.
MAX_ORDER_CENTS = 99_999_999
MAX_PRICE_CENTS = MAX_ORDER_CENTS

# Jars on a shelf, and any threshold compared with them: adjustments are typed as up to seven
# digits, and the count they build must stay within what the ledger's columns hold.
MAX_STOCK = 9_999_999
MAX_POSITION = 9_999  # where a size or an image sorts among its siblings

# A whole number typed into a form has at most this many digits (sign aside) before it is
# converted, so no validator ever sees a number with hundreds of digits.
MAX_DIGITS = 10
