-- build_fact_orders, as a pull request would change it: the discount is no longer a column of its
-- own (net_amount still subtracts it), and each order carries the customer's e-mail.
-- Spark SQL.
INSERT OVERWRITE TABLE dw.fact_orders
WITH order_lines AS (
    SELECT
        oi.order_id,
        oi.product_id,
        oi.quantity,
        oi.discount_amount,
        p.category,
        oi.quantity * oi.unit_price AS line_gross,
        oi.quantity * (oi.unit_price - p.unit_cost) - oi.discount_amount AS line_margin
    FROM ods.order_items AS oi
    JOIN ods.products AS p
        ON p.product_id = oi.product_id
        AND p.ds = oi.ds
    WHERE oi.ds = date_format(current_date(), 'yyyy-MM-dd')
),
order_totals AS (
    SELECT
        ol.order_id,
        count(*) AS line_count,
        sum(ol.quantity) AS units,
        sum(ol.line_gross) AS gross_amount,
        sum(ol.discount_amount) AS discount_amount,
        sum(ol.line_margin) AS margin_amount,
        count(DISTINCT ol.category) AS category_count
    FROM order_lines AS ol
    GROUP BY ol.order_id
)
SELECT
    o.order_id,
    o.customer_id,
    o.card_id,
    o.order_ts,
    to_date(o.order_ts) AS order_date,
    date_format(o.order_ts, 'yyyy-MM') AS order_month,
    o.status AS order_status,
    o.channel,
    o.currency,
    o.ship_country,
    coalesce(pc.card_brand, 'unknown') AS card_brand,
    t.line_count,
    t.units,
    t.gross_amount,
    o.shipping_fee,
    t.gross_amount - t.discount_amount + o.shipping_fee AS net_amount,
    t.margin_amount,
    t.category_count,
    c.email AS customer_email,
    row_number() OVER (PARTITION BY o.customer_id ORDER BY o.order_ts) AS customer_order_rank,
    datediff(
        to_date(o.order_ts),
        to_date(lag(o.order_ts) OVER (PARTITION BY o.customer_id ORDER BY o.order_ts))
    ) AS days_since_previous_order
FROM ods.orders AS o
JOIN order_totals AS t
    ON t.order_id = o.order_id
LEFT JOIN dw.dim_payment_card AS pc
    ON pc.card_id = o.card_id
LEFT JOIN ods.customers AS c
    ON c.customer_id = o.customer_id
WHERE o.ds = date_format(current_date(), 'yyyy-MM-dd');
