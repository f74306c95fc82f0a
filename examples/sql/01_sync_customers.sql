-- sync_customers: nightly snapshot of the shop's customer table into the ODS layer.
-- Runs on Trino: `mysql` is the catalog of the orders database, `hive` the warehouse.
INSERT INTO hive.ods.customers (
    customer_id,
    first_name,
    last_name,
    email,
    phone,
    national_id,
    date_of_birth,
    address_line1,
    address_line2,
    city,
    postcode,
    country,
    preferred_language,
    marketing_opt_in,
    created_at,
    updated_at,
    ds
)
SELECT
    c.customer_id,
    trim(c.first_name) AS first_name,
    trim(c.last_name) AS last_name,
    lower(trim(c.email)) AS email,
    c.phone,
    upper(c.national_id) AS national_id,
    c.date_of_birth,
    c.address_line1,
    c.address_line2,
    c.city,
    upper(c.postcode) AS postcode,
    upper(c.country) AS country,
    coalesce(c.preferred_language, 'en') AS preferred_language,
    c.marketing_opt_in,
    c.created_at,
    c.updated_at,
    CAST(current_date AS varchar) AS ds
FROM mysql.shop.customers AS c
WHERE c.deleted_at IS NULL;
