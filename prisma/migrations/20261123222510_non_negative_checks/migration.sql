-- Stock, prices and thresholds can never be negative, whatever path writes them: the database
-- is the last line behind the API's validation and the atomic stock update.
ALTER TABLE "Product" ADD CONSTRAINT "Product_stock_non_negative" CHECK ("stock" >= 0);
ALTER TABLE "Product" ADD CONSTRAINT "Product_priceCents_non_negative" CHECK ("priceCents" >= 0);
ALTER TABLE "Product" ADD CONSTRAINT "Product_lowStockThreshold_non_negative" CHECK ("lowStockThreshold" >= 0);
