-- sync_products: the product catalogue is copied as is; the column list comes from the catalog.
INSERT INTO hive.ods.products
SELECT
    p.*,
    CAST(current_date AS varchar) AS ds
FROM mysql.shop.products AS p;
