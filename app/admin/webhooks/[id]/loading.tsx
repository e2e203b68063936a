import { PageSkeleton } from "@/components/page-skeleton";

export default function Loading() {
  return <PageSkeleton what="the webhook and its delivery log" />;
}
