-- build_revenue_by_country_month: revenue mart by customer country and month.
-- Redshift. `hive` is the external database over the warehouse's Hive metastore.
INSERT INTO analytics.marts.revenue_by_country_month (
    order_month,
    country,
    order_count,
    customer_count,
    units,
    gross_revenue,
    discount_total,
    net_revenue,
    margin,
    avg_order_value
)
SELECT
    f.order_month,
    c.country,
    COUNT(DISTINCT f.order_id) AS order_count,
    COUNT(DISTINCT f.customer_id) AS customer_count,
    SUM(f.units) AS units,
    SUM(f.gross_amount) AS gross_revenue,
    SUM(f.discount_amount) AS discount_total,
    SUM(f.net_amount) AS net_revenue,
    SUM(f.margin_amount) AS margin,
    SUM(f.net_amount) / NULLIF(COUNT(DISTINCT f.order_id), 0) AS avg_order_value
FROM hive.dw.fact_orders AS f
JOIN hive.dw.dim_customer AS c
    ON c.customer_id = f.customer_id
WHERE f.order_status IN ('shipped', 'delivered')
GROUP BY f.order_month, c.country;
