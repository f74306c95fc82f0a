-- build_dim_customer: the customer dimension, with every direct identifier hashed or masked.
-- Spark SQL. Reads today's ODS snapshot.
WITH latest AS (
    SELECT
        c.customer_id,
        c.email,
        c.phone,
        c.national_id,
        c.city,
        c.postcode,
        c.country,
        c.preferred_language,
        c.marketing_opt_in,
        c.created_at,
        floor(datediff(current_date(), c.date_of_birth) / 365.25) AS age_years
    FROM ods.customers AS c
    WHERE c.ds = date_format(current_date(), 'yyyy-MM-dd')
)
INSERT OVERWRITE TABLE dw.dim_customer
SELECT
    l.customer_id,
    sha2(l.email, 256) AS email_sha256,
    mask(l.phone) AS phone_masked,
    md5(l.national_id) AS national_id_md5,
    CASE
        WHEN l.age_years IS NULL THEN 'unknown'
        WHEN l.age_years < 25 THEN '18-24'
        WHEN l.age_years < 35 THEN '25-34'
        WHEN l.age_years < 50 THEN '35-49'
        WHEN l.age_years < 65 THEN '50-64'
        ELSE '65+'
    END AS age_band,
    l.city,
    split(l.postcode, ' ')[0] AS postcode_district,
    l.country,
    l.preferred_language,
    l.marketing_opt_in,
    to_date(l.created_at) AS signup_date,
    datediff(current_date(), to_date(l.created_at)) AS tenure_days
FROM latest AS l;
