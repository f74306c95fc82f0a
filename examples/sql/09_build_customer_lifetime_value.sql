-- build_customer_lifetime_value: per-customer value, segment and rank within their country.
-- Keyed by the hashed email so it can be matched to ad platforms without the address itself.
-- Redshift.
INSERT INTO analytics.marts.customer_lifetime_value (
    customer_id,
    email_sha256,
    country,
    age_band,
    first_order_date,
    last_order_date,
    order_count,
    lifetime_revenue,
    lifetime_margin,
    avg_order_value,
    avg_days_between_orders,
    value_segment,
    country_revenue_rank
)
WITH per_customer AS (
    SELECT
        f.customer_id,
        MIN(f.order_date) AS first_order_date,
        MAX(f.order_date) AS last_order_date,
        COUNT(f.order_id) AS order_count,
        SUM(f.net_amount) AS lifetime_revenue,
        SUM(f.margin_amount) AS lifetime_margin,
        AVG(f.days_since_previous_order) AS avg_days_between_orders
    FROM hive.dw.fact_orders AS f
    WHERE f.order_status <> 'cancelled'
    GROUP BY f.customer_id
)
SELECT
    p.customer_id,
    c.email_sha256,
    c.country,
    c.age_band,
    p.first_order_date,
    p.last_order_date,
    p.order_count,
    p.lifetime_revenue,
    p.lifetime_margin,
    p.lifetime_revenue / NULLIF(p.order_count, 0) AS avg_order_value,
    p.avg_days_between_orders,
    CASE
        WHEN p.lifetime_revenue >= 2000 THEN 'vip'
        WHEN p.lifetime_revenue >= 500 THEN 'high'
        WHEN p.order_count > 1 THEN 'repeat'
        ELSE 'one_off'
    END AS value_segment,
    RANK() OVER (PARTITION BY c.country ORDER BY p.lifetime_revenue DESC) AS country_revenue_rank
FROM per_customer AS p
JOIN hive.dw.dim_customer AS c
    ON c.customer_id = p.customer_id;
