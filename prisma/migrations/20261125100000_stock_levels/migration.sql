-- Threshold events: each ProductEvent says the stock level of the product after the change and
-- before it (ok, low or out, and NULL before a created event), so a service can react to "out
-- of stock" and "back in stock" without recomputing it, and live and replayed frames stay the same.
-- (No semicolons or apostrophes in these comments: the migration runner splits the script.)

-- The one definition of a stock level, used by every write (lib/products/mutations.ts and
-- lib/products/bulk.ts) and by the backfill below: out at 0, low up to the threshold, else ok.
CREATE FUNCTION stock_level(stock integer, low_stock_threshold integer) RETURNS varchar(3)
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT CASE WHEN stock = 0 THEN 'out' WHEN stock <= low_stock_threshold THEN 'low' ELSE 'ok' END $$;

ALTER TABLE "ProductEvent" ADD COLUMN "stockLevel" VARCHAR(3);
ALTER TABLE "ProductEvent" ADD COLUMN "previousStockLevel" VARCHAR(3);

-- Backfill: the level after each retained event from its own row, the level before it from the
-- previous retained event of the same product. The oldest retained event of a product that is
-- not its created event (older history pruned) has no such row: a stock adjustment rebuilds it
-- from its delta, any other kind is taken as unchanged (no crossing is claimed).
UPDATE "ProductEvent" e SET
  "stockLevel" = stock_level(e.stock, e."lowStockThreshold"),
  "previousStockLevel" = CASE
    WHEN e.kind = 'created' THEN NULL
    WHEN h.previous_stock IS NOT NULL THEN stock_level(h.previous_stock, h.previous_threshold)
    WHEN e.delta IS NOT NULL THEN stock_level(e.stock - e.delta, e."lowStockThreshold")
    ELSE stock_level(e.stock, e."lowStockThreshold")
  END
FROM (
  SELECT id,
    lag(stock) OVER (PARTITION BY "productId" ORDER BY id) AS previous_stock,
    lag("lowStockThreshold") OVER (PARTITION BY "productId" ORDER BY id) AS previous_threshold
  FROM "ProductEvent"
) h
WHERE h.id = e.id;

ALTER TABLE "ProductEvent" ALTER COLUMN "stockLevel" SET NOT NULL;
ALTER TABLE "ProductEvent" ADD CONSTRAINT "ProductEvent_stockLevel_check" CHECK ("stockLevel" IN ('ok', 'low', 'out'));
ALTER TABLE "ProductEvent" ADD CONSTRAINT "ProductEvent_previousStockLevel_check"
  CHECK ("previousStockLevel" IN ('ok', 'low', 'out'));
