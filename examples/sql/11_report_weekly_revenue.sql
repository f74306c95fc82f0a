-- report_weekly_revenue: weekly revenue per country with week-over-week growth.
-- Redshift, reading the warehouse facts through the `hive` external database.
INSERT INTO analytics.reports.weekly_revenue (
    week_start,
    country,
    order_count,
    customer_count,
    net_revenue,
    margin,
    net_revenue_prev_week,
    wow_growth_pct
)
WITH weekly AS (
    SELECT
        DATE_TRUNC('week', f.order_date) AS week_start,
        c.country,
        COUNT(DISTINCT f.order_id) AS order_count,
        COUNT(DISTINCT f.customer_id) AS customer_count,
        SUM(f.net_amount) AS net_revenue,
        SUM(f.margin_amount) AS margin
    FROM hive.dw.fact_orders AS f
    JOIN hive.dw.dim_customer AS c
        ON c.customer_id = f.customer_id
    WHERE f.order_status IN ('shipped', 'delivered')
        AND f.order_date >= DATEADD(week, -12, CURRENT_DATE)
    GROUP BY DATE_TRUNC('week', f.order_date), c.country
)
SELECT
    w.week_start,
    w.country,
    w.order_count,
    w.customer_count,
    w.net_revenue,
    w.margin,
    LAG(w.net_revenue) OVER (PARTITION BY w.country ORDER BY w.week_start) AS net_revenue_prev_week,
    ROUND(
        100.0 * (w.net_revenue - LAG(w.net_revenue) OVER (PARTITION BY w.country ORDER BY w.week_start))
        / NULLIF(LAG(w.net_revenue) OVER (PARTITION BY w.country ORDER BY w.week_start), 0),
        1
    ) AS wow_growth_pct
FROM weekly AS w;
