-- sync_orders: nightly snapshot of orders and their lines into the ODS layer.
INSERT INTO hive.ods.orders (
    order_id,
    customer_id,
    card_id,
    order_ts,
    status,
    channel,
    currency,
    shipping_fee,
    ship_address_line1,
    ship_city,
    ship_postcode,
    ship_country,
    created_at,
    updated_at,
    ds
)
SELECT
    o.order_id,
    o.customer_id,
    o.card_id,
    o.order_ts,
    lower(o.status) AS status,
    lower(o.channel) AS channel,
    upper(o.currency) AS currency,
    o.shipping_fee,
    o.ship_address_line1,
    o.ship_city,
    upper(o.ship_postcode) AS ship_postcode,
    upper(o.ship_country) AS ship_country,
    o.created_at,
    o.updated_at,
    CAST(current_date AS varchar) AS ds
FROM mysql.shop.orders AS o;

INSERT INTO hive.ods.order_items (
    order_item_id,
    order_id,
    product_id,
    quantity,
    unit_price,
    discount_amount,
    created_at,
    ds
)
SELECT
    oi.order_item_id,
    oi.order_id,
    oi.product_id,
    oi.quantity,
    oi.unit_price,
    coalesce(oi.discount_amount, 0) AS discount_amount,
    oi.created_at,
    CAST(current_date AS varchar) AS ds
FROM mysql.shop.order_items AS oi;
