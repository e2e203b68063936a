"use server";
// Admin mutations from the browser. Server Actions check the Origin against the host (CSRF);
// each action checks the admin session itself and calls the same lib functions as the API.
import { redirect } from "next/navigation";
import { z } from "zod";
import { browserAdmin, signInWithToken, signOut } from "@/lib/auth/admin";
import { ApiError } from "@/lib/errors";
import { updateProduct } from "@/lib/products/mutations";
import { productIdSchema, updateProductSchema } from "@/lib/products/validation";

export type FormState = { ok?: boolean; message?: string; errors?: Record<string, string[]> };

export async function signInAction(_state: FormState, formData: FormData): Promise<FormState> {
  const token = String(formData.get("token") ?? "");
  if (!(await signInWithToken(token))) return { message: "That token is not valid." };
  redirect("/admin");
}

export async function signOutAction() {
  await signOut();
  redirect("/admin");
}

const setStockForm = z.object({
  productId: productIdSchema,
  stock: z.coerce.number({ error: "Enter a number" }),
  expectedVersion: z.coerce.number().int().min(1),
});

export async function setStockAction(_state: FormState, formData: FormData): Promise<FormState> {
  const actor = await browserAdmin();
  if (!actor) return { message: "Your session has ended: sign in again." };
  const parsed = setStockForm.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return { message: "Check the form.", errors: z.flattenError(parsed.error).fieldErrors };
  const { productId, stock, expectedVersion } = parsed.data;
  const input = updateProductSchema.safeParse({ stock, expectedVersion });
  if (!input.success) return { message: "Check the form.", errors: z.flattenError(input.error).fieldErrors };
  try {
    const product = await updateProduct(productId, input.data, actor);
    return { ok: true, message: `Saved: ${product.name} now has ${product.stock} in stock.` };
  } catch (error) {
    if (error instanceof ApiError) return { message: error.message };
    console.error("setStockAction failed", error);
    return { message: "Saving failed; try again." };
  }
}
