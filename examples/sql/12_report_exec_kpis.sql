-- report_exec_kpis: the monthly board numbers, built only from the marts.
-- Redshift.
INSERT INTO analytics.reports.exec_kpis (
    kpi_month,
    net_revenue,
    order_count,
    active_customers,
    new_customers,
    new_high_value_customers,
    avg_order_value,
    margin_pct
)
WITH monthly AS (
    SELECT
        r.order_month,
        SUM(r.net_revenue) AS net_revenue,
        SUM(r.order_count) AS order_count,
        SUM(r.customer_count) AS active_customers,
        SUM(r.margin) AS margin
    FROM analytics.marts.revenue_by_country_month AS r
    GROUP BY r.order_month
),
cohorts AS (
    SELECT
        TO_CHAR(v.first_order_date, 'YYYY-MM') AS cohort_month,
        COUNT(v.customer_id) AS new_customers,
        SUM(CASE WHEN v.value_segment IN ('vip', 'high') THEN 1 ELSE 0 END) AS new_high_value_customers
    FROM analytics.marts.customer_lifetime_value AS v
    GROUP BY TO_CHAR(v.first_order_date, 'YYYY-MM')
)
SELECT
    m.order_month AS kpi_month,
    m.net_revenue,
    m.order_count,
    m.active_customers,
    COALESCE(k.new_customers, 0) AS new_customers,
    COALESCE(k.new_high_value_customers, 0) AS new_high_value_customers,
    m.net_revenue / NULLIF(m.order_count, 0) AS avg_order_value,
    ROUND(100.0 * m.margin / NULLIF(m.net_revenue, 0), 1) AS margin_pct
FROM monthly AS m
LEFT JOIN cohorts AS k
    ON k.cohort_month = m.order_month;
